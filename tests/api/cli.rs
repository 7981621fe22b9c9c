//! The `relasi` command line, run as a real process against a test database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{owner_url_for, spawn_app};

fn relasi(database: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relasi"))
        .args(args)
        .env("DATABASE_URL", owner_url_for(database))
        .env_remove("RELASI_DB_ROLE")
        .env_remove("RELASI_MIGRATE_DATABASE_URL")
        .env("RELASI_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relasi");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn tenants_and_users_from_the_command_line() {
    let app = spawn_app().await;
    let db = app.database.as_str();

    let o = relasi(
        db,
        &[
            "tenant",
            "create",
            "--slug",
            "kanwil-jabar",
            "--name",
            "Kanwil Jawa Barat — Korporasi",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = relasi(
        db,
        &[
            "tenant",
            "create",
            "--slug",
            "kanwil-jabar",
            "--name",
            "Again",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("already exists"), "{}", text(&o));
    let o = relasi(
        db,
        &["tenant", "create", "--slug", "Bad Slug", "--name", "X"],
        None,
    );
    assert!(!o.status.success() && text(&o).contains("invalid slug"));
    let o = relasi(
        db,
        &[
            "tenant",
            "create",
            "--slug",
            "x",
            "--name",
            "X",
            "--timezone",
            "Mars/Base",
        ],
        None,
    );
    assert!(!o.status.success() && text(&o).contains("unknown time zone"));

    // A generated one-time password, printed once and to be changed at first sign-in.
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "kanwil-jabar",
            "--email",
            "Admin@Jabar.example",
            "--name",
            "Admin Jabar",
            "--role",
            "admin",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let otp = out
        .lines()
        .find_map(|l| l.split("sign-in): ").nth(1))
        .expect("password printed")
        .trim()
        .to_owned();
    let c = app.client();
    assert_eq!(
        c.sign_in("admin@jabar.example", &otp).await.location(),
        "/account/password"
    );

    // A password from standard input; weak ones are refused.
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "kanwil-jabar",
            "--email",
            "rm@jabar.example",
            "--name",
            "RM",
            "--role",
            "rm",
            "--password-stdin",
        ],
        Some("password1234\n"),
    );
    assert!(
        !o.status.success() && text(&o).contains("too easy to guess"),
        "{}",
        text(&o)
    );
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "kanwil-jabar",
            "--email",
            "rm@jabar.example",
            "--name",
            "RM",
            "--role",
            "rm",
            "--password-stdin",
        ],
        Some("bandung-lautan-api-1946\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        app.client()
            .sign_in("rm@jabar.example", "bandung-lautan-api-1946")
            .await
            .location(),
        "/my-month"
    );

    // An existing account gets a membership in another tenant; its password stays.
    let o = relasi(
        db,
        &[
            "tenant",
            "create",
            "--slug",
            "kanwil-jatim",
            "--name",
            "Kanwil Jawa Timur",
        ],
        None,
    );
    assert!(o.status.success());
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "kanwil-jatim",
            "--email",
            "rm@jabar.example",
            "--name",
            "RM",
            "--role",
            "supervisor",
        ],
        None,
    );
    assert!(
        o.status.success() && text(&o).contains("password unchanged"),
        "{}",
        text(&o)
    );
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "kanwil-jatim",
            "--email",
            "rm@jabar.example",
            "--name",
            "RM",
            "--role",
            "rm",
        ],
        None,
    );
    assert!(!o.status.success() && text(&o).contains("already a member"));
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "nowhere",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "rm",
        ],
        None,
    );
    assert!(!o.status.success() && text(&o).contains("no tenant"));
    let o = relasi(
        db,
        &[
            "user",
            "create",
            "--tenant",
            "kanwil-jatim",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "boss",
        ],
        None,
    );
    assert!(!o.status.success() && text(&o).contains("unknown role"));
}

#[tokio::test]
async fn the_demo_seed_is_idempotent_and_its_logins_work() {
    let app = spawn_app().await;
    let db = app.database.as_str();
    let first = relasi(db, &["seed", "--demo"], None);
    assert!(first.status.success(), "{}", text(&first));
    let second = relasi(db, &["seed", "--demo"], None);
    assert!(second.status.success(), "{}", text(&second));
    assert_eq!(
        text(&first),
        text(&second),
        "the same logins are printed each time"
    );
    let counts: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from tenants), (select count(*) from users), (select count(*) from branch_offices)",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(counts, (1, 6, 3));
    for (email, home) in [
        ("rina.kusumawati@demo.relasi.example", "/admin"),
        ("bambang.hartono@demo.relasi.example", "/dashboard"),
        ("dewi.lestari@demo.relasi.example", "/my-month"),
        ("yusuf.pratama@demo.relasi.example", "/dashboard"),
    ] {
        let r = app
            .client()
            .sign_in(email, relasi::seed::DEMO_PASSWORD)
            .await;
        assert_eq!((r.status, r.location()), (303, home), "{email}");
    }
}

#[test]
fn every_command_explains_itself() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["tenant", "create", "--help"],
        &["user", "create", "--help"],
        &["seed", "--help"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_relasi"))
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

/// SIGTERM stops the server from taking new work but lets a request in flight finish.
#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_then_exits() {
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpStream;

    let app = spawn_app().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_relasi"))
        .arg("serve")
        .env("DATABASE_URL", owner_url_for(&app.database))
        .env_remove("RELASI_DB_ROLE")
        .env("RELASI_LISTEN", format!("127.0.0.1:{port}"))
        .env("RELASI_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(server.stdout.take().unwrap());
    let wait_for = |log: &mut BufReader<std::process::ChildStdout>, needle: &str| {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                log.read_line(&mut line).unwrap() > 0,
                "the server ended before logging {needle:?}"
            );
            if line.contains(needle) {
                return;
            }
        }
    };
    wait_for(&mut log, "serving Relasi");

    // A request whose body has not fully arrived yet.
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST /language HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 16\r\nConnection: close\r\n\r\nlang="
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.flush().unwrap();

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(&mut log, "shutting down");

    conn.write_all(b"en&next=/login").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    let exit = server.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}
