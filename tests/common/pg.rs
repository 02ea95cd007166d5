//! A real PostgreSQL server for the tests, started by the tests themselves: a throwaway cluster
//! in a temporary folder, listening only on a Unix socket in that folder (no TCP port, so test
//! binaries running side by side never collide), one server per test binary and a fresh
//! database per test ([`database`]).
//!
//! The server binaries (`initdb`, `pg_ctl`) are looked for in `INTERVIEW_BOT_PG_BINDIR`, then
//! on `PATH`, then in `pg_config --bindir`, then in Debian's `/usr/lib/postgresql/<version>/bin`
//! (newest version first). `initdb` refuses to run as root, so when the tests run as root the
//! server runs as the `postgres` system user that Debian's `postgresql` package creates, in a
//! folder owned by it.
//!
//! Teardown does not depend on Rust dropping anything (a `static` is never dropped): the server
//! is started by a small guardian shell whose standard input is a pipe held by the test
//! process. When the test process ends, however it ends (all tests passed, a panic, a kill),
//! the pipe closes and the guardian stops the server (`pg_ctl stop -m immediate`) and removes
//! the folder. [`PgServer`]'s `Drop` closes the pipe and waits, for a server owned by a value.
//!
//! When no PostgreSQL is installed, [`database`] prints why and returns `None` (the test
//! returns early), unless `INTERVIEW_BOT_REQUIRE_POSTGRES=1` is set (CI sets it): then it
//! panics. A PostgreSQL that is installed but fails to start always fails the test.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::{ConnectOptions, Connection};

/// Set to `1` to make a missing PostgreSQL a test failure instead of a skip.
pub const REQUIRE_ENV: &str = "INTERVIEW_BOT_REQUIRE_POSTGRES";
/// Set to a folder holding `initdb` and `pg_ctl` to use those.
pub const BINDIR_ENV: &str = "INTERVIEW_BOT_PG_BINDIR";
/// The port number, which with `listen_addresses` empty only names the socket file
/// (`.s.PGSQL.5432` in the server's folder).
const PORT: u16 = 5432;
/// The cluster's superuser.
const SUPERUSER: &str = "postgres";

/// Creates the cluster, starts it, says `ready`, then stops it and removes its folder once
/// standard input closes. Ignores the terminal's signals (Ctrl-C reaches the whole process
/// group) and a closed standard output, so that it still cleans up after them, even when the
/// test process dies while `initdb` runs.
const GUARDIAN: &str = r#"
bindir="$1"; dir="$2"; port="$3"; user="$4"; settings="$5"
trap '' INT TERM HUP PIPE
fail() {
    echo failed
    cat "$dir/initdb.log" "$dir/pg_ctl.log" "$dir/server.log" 2>/dev/null
    rm -rf "$dir"
    exit 1
}
"$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust --no-sync -E UTF8 --locale=C \
    >"$dir/initdb.log" 2>&1 || fail
"$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-k '$dir' -p $port -c listen_addresses= -c max_connections=200 $settings" start >"$dir/pg_ctl.log" 2>&1 || fail
echo ready
cat >/dev/null
"$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir"
"#;

/// The tests' server settings: no waiting for the disk (a crash loses the throwaway cluster,
/// which nobody keeps).
pub const FAST: &str = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
/// PostgreSQL's own defaults (durable commits), for measurements (`benches/engine.rs`).
pub const DEFAULTS: &str = "";

/// Why there is no server.
#[derive(Debug, Clone)]
pub enum Unavailable {
    /// PostgreSQL's server binaries are not installed (the tests may skip).
    NotInstalled(String),
    /// They are, but the cluster could not be created or started (always a failure).
    Failed(String),
}

/// A running throwaway cluster.
pub struct PgServer {
    /// The folder holding `data/`, the socket and `server.log`; removed by the guardian.
    dir: PathBuf,
    /// The guardian and the write end of its standard input.
    guardian: Mutex<Option<(Child, ChildStdin)>>,
}

impl PgServer {
    /// The folder the socket is in.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// Connection options for database `name` as the superuser, over the socket.
    pub fn options(&self, name: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(name)
            .ssl_mode(PgSslMode::Disable)
            .disable_statement_logging()
    }

    /// The `postgres://` URL of database `name` (the socket folder in `host=`).
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@localhost:{PORT}/{name}?host={}&sslmode=disable",
            self.dir.display()
        )
    }

    /// Creates a server: a new folder, and the guardian that creates the cluster in it and
    /// starts it with `settings` ([`FAST`] or [`DEFAULTS`], or more `-c name=value` options).
    /// Errors: [`Unavailable::NotInstalled`] without PostgreSQL's binaries,
    /// [`Unavailable::Failed`] (with the server's logs) when the cluster cannot start.
    pub fn start(settings: &str) -> Result<PgServer, Unavailable> {
        let bindir = find_bindir().ok_or_else(|| {
            Unavailable::NotInstalled(
                "PostgreSQL's server (initdb, pg_ctl) is not installed: on Debian or Ubuntu \
                 `apt-get install postgresql`, or set INTERVIEW_BOT_PG_BINDIR to the folder \
                 holding initdb"
                    .into(),
            )
        })?;
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            Unavailable::Failed(format!("{what}: {e} (PostgreSQL binaries in {bindir:?})"))
        };
        let run_as = run_as().map_err(Unavailable::Failed)?;
        let dir = tempfile::Builder::new()
            .prefix("interview-bot-pg-")
            .tempdir()
            .map_err(|e| failed("creating a temporary folder", &e))?
            .keep();
        let remove = |e: Unavailable| {
            let _ = std::fs::remove_dir_all(&dir);
            e
        };
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| {
                remove(failed(
                    "giving the temporary folder to the postgres user",
                    &e,
                ))
            })?;
        }
        let mut child = command(Path::new("/bin/sh"), run_as, &dir)
            .arg("-c")
            .arg(GUARDIAN)
            .arg("interview-bot-pg-guardian")
            .arg(&bindir)
            .arg(&dir)
            .arg(PORT.to_string())
            .arg(SUPERUSER)
            .arg(settings)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| remove(failed("starting the server's guardian shell", &e)))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        if first.trim() != "ready" {
            let mut rest = String::new();
            let _ = stdout.read_to_string(&mut rest);
            drop(stdin);
            let _ = child.wait();
            return Err(failed("the server could not be created or started", &rest));
        }
        Ok(PgServer {
            dir,
            guardian: Mutex::new(Some((child, stdin))),
        })
    }
}

impl PgServer {
    /// Creates the empty database `name` (a plain identifier); panics when the server refuses.
    pub async fn create_database(&self, name: &str) {
        let mut admin = self
            .options("postgres")
            .connect()
            .await
            .unwrap_or_else(|e| panic!("connecting to the test server: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        let _ = admin.close().await;
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let guardian = self.guardian.lock().map(|mut g| g.take());
        if let Ok(Some((mut child, stdin))) = guardian {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

/// The server of this test binary, started on first use.
pub fn server() -> Result<&'static PgServer, Unavailable> {
    static SERVER: OnceLock<Result<PgServer, Unavailable>> = OnceLock::new();
    SERVER
        .get_or_init(|| PgServer::start(FAST))
        .as_ref()
        .map_err(Clone::clone)
}

/// Whether CI asked for PostgreSQL to be required.
pub fn required() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1")
}

/// A database of its own for one test, on the shared server.
pub struct TestDatabase {
    /// Its name (`t_<test>_<n>`).
    pub name: String,
    /// Its `postgres://` URL.
    pub url: String,
    /// Options to connect to it.
    pub options: PgConnectOptions,
}

impl TestDatabase {
    /// A small pool on it.
    pub async fn pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(4)
            .connect_with(self.options.clone())
            .await
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.url))
    }
}

/// A fresh, empty database for the test `test` (letters, digits and `_` are kept in its name),
/// or `None` when PostgreSQL is not installed and not required (the reason is printed: the
/// caller returns). Panics when it is required and missing, or installed and broken.
pub async fn database(test: &str) -> Option<TestDatabase> {
    let server = match server() {
        Ok(s) => s,
        Err(Unavailable::NotInstalled(why)) if !required() => {
            // Straight to stderr, not through the test harness's capture, so the skip shows in
            // `cargo test`'s output even though the test passes.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test}: {why} ({REQUIRE_ENV}=1 makes this a failure)"
            );
            return None;
        }
        Err(Unavailable::NotInstalled(why)) => panic!("{REQUIRE_ENV}=1 but {why}"),
        Err(Unavailable::Failed(why)) => panic!("PostgreSQL is installed but unusable: {why}"),
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let slug: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let name = format!("t_{slug}_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    server.create_database(&name).await;
    Some(TestDatabase {
        url: server.url(&name),
        options: server.options(&name),
        name,
    })
}

/// A command run as `run_as` (uid, gid) when given, in `dir`, with no PG* variables that could
/// point it elsewhere.
fn command(program: &Path, run_as: Option<(u32, u32)>, dir: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env_remove("PGDATA")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGUSER")
        .env_remove("PGDATABASE");
    if let Some((uid, gid)) = run_as {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

/// `Some((uid, gid))` of the `postgres` user when running as root (initdb refuses root),
/// `None` otherwise.
fn run_as() -> Result<Option<(u32, u32)>, String> {
    let id = |args: &[&str]| -> Option<u32> {
        let out = Command::new("id").args(args).output().ok()?;
        String::from_utf8(out.stdout).ok()?.trim().parse().ok()
    };
    if id(&["-u"]) != Some(0) {
        return Ok(None);
    }
    match (id(&["-u", "postgres"]), id(&["-g", "postgres"])) {
        (Some(uid), Some(gid)) => Ok(Some((uid, gid))),
        _ => Err(
            "the tests run as root, where initdb refuses to run, and there is no \
                  `postgres` system user to run it as: install Debian's postgresql package \
                  (it creates one) or run the tests as a normal user"
                .into(),
        ),
    }
}

/// The folder holding `initdb` and `pg_ctl` (see the module documentation for the order).
fn find_bindir() -> Option<PathBuf> {
    let usable = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os(BINDIR_ENV).map(PathBuf::from) {
        return usable(&dir).then_some(dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| usable(d)) {
            return Some(dir);
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && usable(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, dir)| usable(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}
