/**
 * The deployment files agree with the README and with the gateway's configuration:
 * docker-compose.yml's services, images and published ports are the ones README.md's
 * "Deployment" section names (so the two cannot drift), every DAVGATE_* variable the
 * deployment files set is one `src/config.ts` knows, the Dockerfile copies only paths that
 * exist, and the Kubernetes example parses. (`docker-compose config -q` in .ci/run checks the
 * compose schema itself.)
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ENVIRONMENT, loadConfig, namedVariable, type GatewayConfig } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly ports?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: unknown;
  readonly volumes?: readonly string[];
}

const compose = parse(read('docker-compose.yml')) as { services: Readonly<Record<string, ComposeService>> };
const services = Object.entries(compose.services);

/** README.md's "Deployment" section, up to the next `## ` heading. */
function deploymentSection(): string {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Deployment\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The host side of each published port, as `address:port` (compose's short syntax). */
function published(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) => {
    const parts = port.split(':');
    expect(parts).toHaveLength(3); // address:host:container, so that the address is explicit
    return `${parts[0]}:${parts[1]}`;
  });
}

const known = new Set(Object.keys(ENVIRONMENT));
const davgateNames = (text: string): string[] => [...new Set(text.match(/\bDAVGATE_[A-Z0-9_]+/g) ?? [])];

describe('docker-compose.yml', () => {
  const readme = deploymentSection();

  it('uses the services, images and ports the README names', () => {
    expect(services.length).toBeGreaterThan(0);
    for (const [name, service] of services) {
      expect(readme).toContain(`\`${name}\``);
      expect(service.image).toBeDefined();
      expect(readme).toContain(`\`${service.image}\``);
      for (const address of published(service)) expect(readme).toContain(`\`${address}\``);
    }
  });

  it('publishes on loopback only, and every address the README gives is published', () => {
    const all = services.flatMap(([, service]) => published(service));
    for (const address of all) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const inReadme = [...new Set(readme.match(/`127\.0\.0\.1:\d+`/g) ?? [])].map((quoted) => quoted.slice(1, -1));
    const composePorts = new Set(all);
    // The Kubernetes paragraph names the sidecar's in-pod address, which compose also uses.
    for (const address of inReadme) expect(composePorts.has(address)).toBe(true);
  });

  it('builds davgate from the Dockerfile and waits for healthy backends', () => {
    const gateways = services.filter(([name]) => name.startsWith('davgate'));
    expect(gateways.length).toBeGreaterThanOrEqual(3);
    for (const [, service] of gateways) {
      expect(service.build).toBeDefined();
      for (const backend of backendHosts(service)) {
        expect(compose.services[backend]?.healthcheck).toBeDefined();
        expect(service.depends_on?.[backend]?.condition).toBe('service_healthy');
      }
    }
  });

  it('sets only DAVGATE_* variables src/config.ts knows', () => {
    for (const [, service] of services) {
      for (const name of Object.keys(service.environment ?? {})) expect(knownFor(service)).toContain(name);
    }
    // Comments name variables too: each must be one some davgate service here could read.
    const anyService = new Set(services.filter(([name]) => name.startsWith('davgate')).flatMap(([, service]) => [...knownFor(service)]));
    for (const name of davgateNames(read('docker-compose.yml'))) expect(anyService).toContain(name);
  });
});

/** The configuration a davgate service gets: its variables, and its config file read from deploy/. */
function configOf(service: ComposeService): GatewayConfig {
  const env = { ...(service.environment ?? {}) };
  const mounted = env.DAVGATE_CONFIG === undefined ? undefined : (service.volumes ?? []).find((v) => v.split(':')[1] === env.DAVGATE_CONFIG);
  if (mounted !== undefined) env.DAVGATE_CONFIG = path.join(ROOT, (mounted.split(':')[0] ?? '').replace(/^\.\//, ''));
  return loadConfig(env);
}

/** The compose hostnames of a davgate service's backends. */
function backendHosts(service: ComposeService): string[] {
  const hosts = configOf(service).backends.map((b) => new URL(b.url ?? '').hostname);
  expect(hosts.length).toBeGreaterThan(0);
  return hosts;
}

/** The variables davgate reads, with the per-backend ones of the service's own backends. */
function knownFor(service: ComposeService): Set<string> {
  const names = new Set(known);
  for (const backend of configOf(service).backends) for (const variable of Object.keys(ENVIRONMENT)) names.add(namedVariable(backend.name, variable));
  return names;
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('copies only paths that exist and sets only known DAVGATE_* variables', () => {
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
    expect(copies).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'bin', 'schema.graphql']));
    for (const source of copies) expect(existsSync(path.join(ROOT, source))).toBe(true);
    for (const name of davgateNames(dockerfile)) expect(known).toContain(name);
  });
});

describe('deploy/kubernetes/sidecar.yaml', () => {
  const text = read('deploy/kubernetes/sidecar.yaml');
  const documents = parseAllDocuments(text);

  it('parses as YAML', () => {
    expect(Array.isArray(documents)).toBe(true);
    const list = Array.isArray(documents) ? documents : [documents];
    for (const document of list) expect(document.errors).toEqual([]);
    const kinds = list.map((document) => (document.toJS() as { kind?: string }).kind);
    expect(kinds).toEqual(['ConfigMap', 'Secret', 'Deployment']);
  });

  it('sets only DAVGATE_* variables src/config.ts knows', () => {
    for (const name of davgateNames(text)) expect(known).toContain(name);
  });
});
