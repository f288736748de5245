//! What each env file is for, decided once: whether something reads it as an env file, whether
//! it certainly holds production's env (and why), whether it is the real file or a template,
//! which template documents it, who reads it, and which images copy it.

use super::interpolation::{ComposeFile, call_names, is_development_name};
use super::{EnvSource, Model, Service, commands, env};
use crate::parse::envfile::Secret;
use crate::source::{Kind, Span, file_name, join_rel, parent_dir};
use std::collections::BTreeSet;

/// Why an env file certainly holds the env of production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Production {
    /// Given on the command line (`--env-file PATH`): the real file on the server.
    Given,
    /// Listed in `[deploy] env-files`.
    Listed,
    /// Passed with `--env-file` by a compose command that acts on the server.
    ServerCall(Span),
    /// Read (`env_file:`) by services of production compose files only (named for production,
    /// listed in `[deploy] compose-files`, or run by the server's compose commands).
    Compose(String),
    /// Named for production (`.env.prod`, `.env.production`, `prod.env`).
    Named,
}

impl Production {
    /// Why, as a message says it.
    pub fn describe(&self) -> String {
        match self {
            Production::Given => "given with `--env-file`".to_string(),
            Production::Listed => "listed in `[deploy] env-files`".to_string(),
            Production::ServerCall(_) => "passed with `--env-file` to the server's compose".to_string(),
            Production::Compose(c) => format!("read by `{c}`"),
            Production::Named => "named for production".to_string(),
        }
    }

    /// Whether something in the repository (or the command line) uses the file for
    /// production, rather than only its name saying so.
    pub fn is_used(&self) -> bool {
        !matches!(self, Production::Named)
    }
}

/// Where a real (non-template) env file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Given on the command line: the real file on the server.
    Given,
    /// In the checkout but git-ignored: a local copy of the real file.
    GitIgnored,
    /// In the checkout and not git-ignored: committed, or about to be.
    Committed,
}

/// Who reads an env file: the services that load it (`env_file:`) and the compose files that
/// interpolate with it.
#[derive(Debug, Default)]
pub struct EnvReaders<'a> {
    pub services: Vec<&'a Service>,
    pub compose_files: Vec<&'a ComposeFile>,
}

/// Prefixes of keys that frontend bundlers inline into the public build (Vite, Next.js, Create
/// React App, Nuxt, SvelteKit and Astro, Expo, Gatsby, Vue CLI, Angular).
pub const PUBLIC_PREFIXES: &[&str] = &[
    "VITE_",
    "NEXT_PUBLIC_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "PUBLIC_",
    "EXPO_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
    "NG_APP_",
];

/// Build settings a frontend build file holds beside its public keys.
const FRONTEND_BUILD_KEYS: &[&str] = &[
    "NODE_ENV",
    "GENERATE_SOURCEMAP",
    "PUBLIC_URL",
    "INLINE_RUNTIME_CHUNK",
    "BROWSER",
    "SKIP_PREFLIGHT_CHECK",
    "DISABLE_ESLINT_PLUGIN",
    "FAST_REFRESH",
    "TSC_COMPILE_ON_ERROR",
    "NEXT_TELEMETRY_DISABLED",
    "BASE_URL",
    "PORT",
    "HOST",
    "HTTPS",
    "CHOKIDAR_USEPOLLING",
    "WATCHPACK_POLLING",
    "WDS_SOCKET_PORT",
    "IMAGE_INLINE_SIZE_LIMIT",
    "DANGEROUSLY_DISABLE_HOST_CHECK",
];

/// Whether a key is inlined into a frontend's public build (`VITE_…`, `NEXT_PUBLIC_…`): what
/// it holds is public wherever the file lies.
pub fn is_public_key(key: &str) -> bool {
    PUBLIC_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Whether an env file only feeds a frontend build: every key is public (`VITE_…`,
/// `NEXT_PUBLIC_…`) or a build setting, and at least one is public.
fn frontend_build_file(src: &EnvSource) -> bool {
    let public = |k: &str| PUBLIC_PREFIXES.iter().any(|p| k.starts_with(p));
    let keys = || src.parsed.entries.iter().map(|e| e.key.value.as_str());
    keys().any(public) && keys().all(|k| public(k) || FRONTEND_BUILD_KEYS.contains(&k))
}

/// The keys well-known third-party images read, by image name (the last part of the
/// repository, without registry, owner or tag): a key with one of these prefixes (or equal to
/// one ending without `_`) is read by a service running that image.
const IMAGE_KEYS: &[(&[&str], &[&str])] = &[
    (&["postgres", "postgresql", "postgis", "timescaledb", "pgvector"], &["POSTGRES_", "POSTGRESQL_", "PGDATA", "PG"]),
    (&["mysql", "mysql-server", "mariadb", "percona", "percona-server"], &["MYSQL_", "MARIADB_"]),
    (&["mongo", "mongodb", "mongodb-community-server"], &["MONGO_", "MONGODB_"]),
    (
        &["redis", "redis-stack", "redis-stack-server", "valkey", "keydb"],
        &["REDIS_", "VALKEY_", "ALLOW_EMPTY_PASSWORD"],
    ),
    (&["rabbitmq"], &["RABBITMQ_"]),
    (&["minio"], &["MINIO_"]),
    (
        &["elasticsearch", "opensearch"],
        &["ELASTIC_", "ES_", "OPENSEARCH_", "discovery.", "xpack.", "bootstrap.", "cluster."],
    ),
    (&["clickhouse-server", "clickhouse"], &["CLICKHOUSE_"]),
    (&["pgadmin4"], &["PGADMIN_"]),
    (&["grafana"], &["GF_"]),
    (&["keycloak"], &["KEYCLOAK_", "KC_"]),
    (&["influxdb"], &["INFLUXDB_", "DOCKER_INFLUXDB_"]),
    (&["couchdb"], &["COUCHDB_"]),
    (&["neo4j"], &["NEO4J_"]),
];

/// The key prefixes a third-party image reads, when the image is one of [`IMAGE_KEYS`].
pub fn image_key_prefixes(image: &str) -> Option<&'static [&'static str]> {
    let name = image.split(['@']).next().unwrap_or(image);
    let name = file_name(name);
    let name = name.split(':').next().unwrap_or(name).to_ascii_lowercase();
    IMAGE_KEYS.iter().find(|(names, _)| names.contains(&name.as_str())).map(|(_, keys)| *keys)
}

/// Keys that runtimes, SDKs and tools read without the code naming them: compose itself
/// (`COMPOSE_…`), the C library and shells (`TZ`, `LANG`), language runtimes (`GOMAXPROCS`,
/// `RUST_LOG`, `NODE_OPTIONS`, `PYTHONUNBUFFERED`), servers (`PORT`, `WEB_CONCURRENCY`),
/// libpq (`PGHOST`), cloud and telemetry SDKs (`AWS_…`, `OTEL_…`, `SENTRY_…`), ORMs and
/// frameworks that read a conventional name from their own config (`DATABASE_URL`,
/// `DJANGO_SETTINGS_MODULE`, `NEXTAUTH_SECRET`), and frontend bundlers (`VITE_…`).
const RUNTIME_KEYS: &[&str] = &[
    "TZ",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "HOME",
    "PATH",
    "USER",
    "HOSTNAME",
    "PORT",
    "HOST",
    "NODE_ENV",
    "DEBUG",
    "DATABASE_URL",
    "SHADOW_DATABASE_URL",
    "DIRECT_URL",
    "REDIS_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_DEBUG",
    "FLASK_APP",
    "FLASK_ENV",
    "FLASK_DEBUG",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "WEB_CONCURRENCY",
    "GUNICORN_CMD_ARGS",
    "FORWARDED_ALLOW_IPS",
    "GOMAXPROCS",
    "GOMEMLIMIT",
    "GODEBUG",
    "GOGC",
    "GIN_MODE",
    "RUST_LOG",
    "RUST_BACKTRACE",
    "NODE_OPTIONS",
    "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "UV_THREADPOOL_SIZE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "NEXTAUTH_URL",
    "NEXTAUTH_SECRET",
    "AUTH_SECRET",
    "AUTH_URL",
    "AUTH_TRUST_HOST",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
    "JAVA_OPTS",
    "JAVA_TOOL_OPTIONS",
];

/// Prefixes of the keys of [`RUNTIME_KEYS`]' kind.
const RUNTIME_PREFIXES: &[&str] = &[
    "COMPOSE_",
    "DOCKER_",
    "AWS_",
    "OTEL_",
    "DD_",
    "NEW_RELIC_",
    "ELASTIC_APM_",
    "SENTRY_",
    "npm_config_",
    "NPM_CONFIG_",
    "GUNICORN_",
    "UVICORN_",
    "HYPERCORN_",
    "PRISMA_",
    "TRAEFIK_",
    "LETSENCRYPT_",
    "VIRTUAL_",
    "ACME_",
    "CADDY_",
];

/// Whether a runtime, an SDK or a tool reads `key` without the code naming it.
pub fn read_by_runtime(key: &str) -> bool {
    RUNTIME_KEYS.contains(&key) || RUNTIME_PREFIXES.iter().chain(PUBLIC_PREFIXES).any(|p| key.starts_with(p))
}

/// Whether a file name says production: one of its words (split at `.`, `-`, `_`) is `prod`
/// or `production`.
pub fn named_for_production(path: &str) -> bool {
    file_name(path).to_ascii_lowercase().split(['.', '-', '_']).any(|w| w == "prod" || w == "production")
}

/// The file a template documents: `.env.prod` for `.env.prod.example`, the directory's `.env`
/// for `.env.example`.
pub fn documented_path(template: &str) -> Option<String> {
    if let Some(p) = env::TEMPLATE_SUFFIXES.iter().find_map(|s| template.strip_suffix(s)) {
        return Some(p.to_string());
    }
    env::DOTENV_TEMPLATES.contains(&file_name(template)).then(|| join_rel(parent_dir(template), ".env")).flatten()
}

/// Whether a written path (`--env-file` value, `[deploy] env-files` entry) names `path`: the
/// same path from the root or from `dir`, or the same file name.
fn names(written: &str, dir: &str, path: &str) -> bool {
    let w = written.trim_start_matches("./");
    !w.is_empty() && (w == path || join_rel(dir, w).is_some_and(|p| p == path) || file_name(w) == file_name(path))
}

impl Model {
    /// Decides, for every env source, whether it is read as an env file and whether it holds
    /// production's env. Run once the services and commands are known.
    pub(super) fn classify_env_files(&mut self) {
        let read = self.env_files_read();
        let server_calls: Vec<(&commands::Command, &commands::ComposeCall)> = self
            .commands
            .iter()
            .filter_map(|c| match &c.kind {
                commands::Kind::Compose(call) if self.acts_on_server(c, call) => Some((c, call)),
                _ => None,
            })
            .collect();
        let mut decided = Vec::with_capacity(self.env_sources.len());
        for src in &self.env_sources {
            let template_of = env::TEMPLATE_SUFFIXES.iter().find_map(|s| src.path.strip_suffix(s));
            let is_read = |path: &str| read.contains(path) || read.contains(file_name(path));
            let read_as_env = src.given
                || crate::discover::is_well_known_env_name(file_name(&src.path))
                || is_read(&src.path)
                || template_of.is_some_and(is_read);
            let path = if src.is_template { documented_path(&src.path) } else { Some(src.path.clone()) };
            let production = match path {
                _ if frontend_build_file(src) => None,
                _ if src.given => Some(Production::Given),
                Some(p) if env::is_production_compose(&p) => self.production_of(&p, &server_calls),
                _ => None,
            };
            decided.push((read_as_env, production));
        }
        for (src, (read_as_env, production)) in self.env_sources.iter_mut().zip(decided) {
            src.read_as_env = read_as_env;
            src.production = production;
        }
    }

    /// Why the env file at `path` (root-relative) holds production's env, if it certainly does.
    fn production_of(
        &self,
        path: &str,
        server_calls: &[(&commands::Command, &commands::ComposeCall)],
    ) -> Option<Production> {
        if self.config.env_files.iter().any(|l| names(l, "", path)) {
            return Some(Production::Listed);
        }
        for (c, call) in server_calls {
            let dir = parent_dir(self.sources.path(c.file));
            if let Some(e) = call.env_files.iter().find(|e| names(&e.value, dir, path)) {
                return Some(Production::ServerCall(e.span));
            }
        }
        // Read by production compose files, and by no other compose file.
        let readers: Vec<&Service> =
            self.services.iter().filter(|s| s.env_refs.iter().any(|r| r.path == path)).collect();
        if let Some(first) = readers.first() {
            if readers.iter().all(|s| self.is_production_compose_file(&s.compose_path, server_calls)) {
                return Some(Production::Compose(first.compose_path.clone()));
            }
        }
        named_for_production(path).then_some(Production::Named)
    }

    /// Whether a compose file is certainly production's: outside examples, tests and docs, not
    /// named for development, and named for production, listed in `[deploy] compose-files`, or
    /// run by a compose command that acts on the server.
    fn is_production_compose_file(
        &self,
        path: &str,
        server_calls: &[(&commands::Command, &commands::ComposeCall)],
    ) -> bool {
        if !env::is_production_compose(path) || is_development_name(path) {
            return false;
        }
        let same_name = self
            .sources
            .iter()
            .filter(|(_, f)| f.kind == Kind::Compose && file_name(&f.path) == file_name(path))
            .count();
        named_for_production(path)
            || self.config.compose_files.iter().any(|l| names(l, "", path))
            || server_calls.iter().any(|(c, call)| call_names(call, self.sources.path(c.file), path, same_name))
    }

    /// Where a real env file comes from; `None` for a template.
    pub fn env_presence(&self, src: &EnvSource) -> Option<Presence> {
        if src.given {
            return Some(Presence::Given);
        }
        if src.is_template {
            return None;
        }
        match self.sources.get(src.file) {
            Some(f) if f.git_ignored => Some(Presence::GitIgnored),
            _ => Some(Presence::Committed),
        }
    }

    /// Whether an env file holds the values production runs with: the real file given on the
    /// command line, a git-ignored local copy, or a committed file that production certainly
    /// reads and that holds a secret value (a committed file with only blanks and placeholders
    /// for its secrets is a template in all but name, and one only named for production may be
    /// a reference copy).
    pub fn holds_real_values(&self, src: &EnvSource) -> bool {
        match self.env_presence(src) {
            Some(Presence::Given | Presence::GitIgnored) => true,
            Some(Presence::Committed) => {
                src.production.as_ref().is_some_and(Production::is_used)
                    && src.parsed.entries.iter().any(|e| !is_public_key(&e.key.value) && e.secret() != Secret::None)
            }
            None => false,
        }
    }

    /// The committed templates of a real env file: `.env.prod.example` for `.env.prod`, the
    /// directory's `.env.example` for `.env`. A file given on the command line has the
    /// templates of the repository's files of its name.
    pub fn templates_of(&self, index: usize) -> Vec<usize> {
        let Some(src) = self.env_sources.get(index) else { return Vec::new() };
        if src.is_template {
            return Vec::new();
        }
        // The repository paths the file stands for: itself, or for a given file the paths of
        // its name that services, compose interpolation or the config name (any of its name
        // when none does).
        let name = file_name(&src.path);
        let mut stands_for: BTreeSet<String> = BTreeSet::new();
        if src.given {
            let named = self
                .services
                .iter()
                .flat_map(|s| s.env_refs.iter().map(|r| r.path.clone()))
                .chain(self.compose_files.iter().flat_map(|c| c.env_files.iter().map(|f| f.path.clone())))
                .chain(self.config.env_files.iter().map(|p| p.trim_start_matches("./").to_string()));
            stands_for.extend(named.filter(|p| file_name(p) == name));
        } else {
            stands_for.insert(src.path.clone());
        }
        let documents = |t: &EnvSource| match documented_path(&t.path) {
            Some(p) if stands_for.is_empty() => file_name(&p) == name,
            Some(p) => stands_for.contains(&p),
            None => false,
        };
        self.env_sources.iter().enumerate().filter(|(_, t)| t.is_template && documents(t)).map(|(i, _)| i).collect()
    }

    /// Who reads the env source `index`: the production services whose `env_file:` it is (or
    /// stands in for), and the production compose files compose interpolates with it.
    pub fn env_readers(&self, index: usize) -> EnvReaders<'_> {
        EnvReaders {
            services: self
                .services
                .iter()
                .filter(|s| s.production && s.env_refs.iter().any(|r| r.source == Some(index)))
                .collect(),
            compose_files: self
                .compose_files
                .iter()
                .filter(|c| c.env_files.iter().any(|f| f.source == Some(index)))
                .collect(),
        }
    }

    /// The `COPY`/`ADD` instructions that put the env file `path` (in the checkout) into a
    /// shipped image: from a build context that holds it and whose `.dockerignore` does not
    /// leave it out, into the shipped stage or a stage it copies the file from.
    pub fn env_file_copies(&self, path: &str) -> Vec<Span> {
        let mut out = Vec::new();
        for (index, image) in self.images.iter().enumerate() {
            let Some(ctx) = image.context.as_deref() else { continue };
            if !self.image_may_ship(index) {
                continue;
            }
            let rel = if ctx.is_empty() {
                path
            } else {
                match path.strip_prefix(ctx).and_then(|r| r.strip_prefix('/')) {
                    Some(r) => r,
                    None => continue,
                }
            };
            if image.dockerignore.excludes(rel) {
                continue;
            }
            for &st in &image.shipped {
                for s in image.chain(st) {
                    for c in &s.copies {
                        let lands = match c.from {
                            super::images::CopyFrom::Context => landing(c, rel).is_some(),
                            super::images::CopyFrom::Stage(j) => {
                                lands_in_stage(image, j, rel, 0).iter().any(|at| copies_path(c, at))
                            }
                            super::images::CopyFrom::Image(_) => false,
                        };
                        if lands && !out.contains(&c.span) {
                            out.push(c.span);
                        }
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// Whether an image may be one that ships: its Dockerfile is not named for development
    /// (`Dockerfile.dev`) nor under an example, test or docs directory, and it is not built only
    /// for services of development compose files.
    fn image_may_ship(&self, index: usize) -> bool {
        let Some(image) = self.images.get(index) else { return false };
        if is_development_name(&image.path) || !env::is_production_compose(&image.path) {
            return false;
        }
        let users: Vec<&Service> = self.services.iter().filter(|s| s.image.is_some_and(|(i, _)| i == index)).collect();
        users.is_empty() || users.iter().any(|s| s.production && !is_development_name(&s.compose_path))
    }
}

/// Where a context copy puts the context file `rel`, if it copies it.
fn landing(c: &super::images::CopyIn, rel: &str) -> Option<String> {
    let src = c.src.as_str();
    let dest = c.dest.trim_end_matches('/');
    if src.is_empty() {
        return Some(format!("{dest}/{rel}"));
    }
    if src == rel {
        return Some(if c.dest_is_dir { format!("{dest}/{}", file_name(rel)) } else { c.dest.clone() });
    }
    if src.contains(['*', '?', '[']) {
        return crate::model::code::glob_match(src, rel).then(|| format!("{dest}/{}", file_name(rel)));
    }
    rel.strip_prefix(src).and_then(|r| r.strip_prefix('/')).map(|r| format!("{dest}/{r}"))
}

/// Where the context file `rel` lies in stage `index` of `image` (absolute paths), through
/// copies from the context and from earlier stages.
fn lands_in_stage(image: &super::images::Image, index: usize, rel: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    if depth > 8 {
        return out;
    }
    for s in image.chain(index) {
        for c in &s.copies {
            match c.from {
                super::images::CopyFrom::Context => out.extend(landing(c, rel)),
                super::images::CopyFrom::Stage(j) if j != index => {
                    for at in lands_in_stage(image, j, rel, depth + 1) {
                        if copies_path(c, &at) {
                            out.push(at);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether a copy from a stage takes the path `at` of that stage.
fn copies_path(c: &super::images::CopyIn, at: &str) -> bool {
    let src = c.src.trim_end_matches('/');
    if src.contains(['*', '?', '[']) {
        return crate::model::code::glob_match(src.trim_start_matches('/'), at.trim_start_matches('/'));
    }
    at == src || src == "/" || at.strip_prefix(src).is_some_and(|r| r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names() {
        for p in [".env.prod", ".env.production", "prod.env", "deploy/production.env", ".env.production.local"] {
            assert!(named_for_production(p), "{p}");
        }
        for p in [".env", ".env.preprod", ".env.product", "products.env", ".env.staging"] {
            assert!(!named_for_production(p), "{p}");
        }
    }

    #[test]
    fn third_party_images_and_runtimes_read_their_keys() {
        assert!(image_key_prefixes("postgres:16-alpine").is_some_and(|p| p.contains(&"POSTGRES_")));
        assert!(image_key_prefixes("docker.io/library/mariadb:11@sha256:abc").is_some_and(|p| p.contains(&"MYSQL_")));
        assert!(image_key_prefixes("bitnami/redis:7.2").is_some_and(|p| p.contains(&"REDIS_")));
        assert!(image_key_prefixes("ghcr.io/acme/api:1.4").is_none());
        assert!(image_key_prefixes("nginx:alpine").is_none(), "nginx templates read any key: unknown");
        for key in ["TZ", "PORT", "DATABASE_URL", "AWS_REGION", "OTEL_SERVICE_NAME", "VITE_API_URL", "COMPOSE_PROFILES"]
        {
            assert!(read_by_runtime(key), "{key}");
        }
        assert!(!read_by_runtime("ORDERS_CACHE_TTL"));
    }

    #[test]
    fn templates_document_their_file() {
        assert_eq!(documented_path(".env.prod.example").as_deref(), Some(".env.prod"));
        assert_eq!(documented_path("deploy/.env.example").as_deref(), Some("deploy/.env"));
        assert_eq!(documented_path("prod.env.dist").as_deref(), Some("prod.env"));
        assert_eq!(documented_path(".env.prod"), None);
    }
}
