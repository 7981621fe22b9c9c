//! The `relasi` command line, run as a real process against a test database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{app_url, owner_url_for, spawn_app};

fn relasi(database: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relasi"))
        .args(args)
        .env("DATABASE_URL", app_url(database))
        .env("RELASI_OWNER_DATABASE_URL", owner_url_for(database))
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

fn tenant_create(database: &str, slug: &str, name: &str, more: &[&str]) -> Output {
    let args = [
        &["tenant", "create", "--slug", slug, "--name", name][..],
        more,
    ]
    .concat();
    relasi(database, &args, None)
}

fn user_create(
    database: &str,
    tenant: &str,
    email: &str,
    role: &str,
    stdin: Option<&str>,
) -> Output {
    let mut args = vec![
        "user",
        "create",
        "--tenant",
        tenant,
        "--email",
        email,
        "--name",
        "Orang Uji",
        "--role",
        role,
    ];
    if stdin.is_some() {
        args.push("--password-stdin");
    }
    relasi(database, &args, stdin)
}

fn fails_with(o: &Output, message: &str) {
    assert!(!o.status.success(), "should fail: {}", text(o));
    assert!(
        text(o).contains(message),
        "expected {message:?} in: {}",
        text(o)
    );
}

#[tokio::test]
async fn tenants_and_users_from_the_command_line() {
    let app = spawn_app().await;
    let db = app.database.as_str();

    let o = tenant_create(db, "kanwil-jabar", "Kanwil Jawa Barat — Korporasi", &[]);
    assert!(o.status.success(), "{}", text(&o));
    fails_with(
        &tenant_create(db, "kanwil-jabar", "Again", &[]),
        "already exists",
    );
    fails_with(&tenant_create(db, "Bad Slug", "X", &[]), "invalid slug");
    fails_with(
        &tenant_create(db, "x", "X", &["--timezone", "Mars/Base"]),
        "unknown time zone",
    );

    // A generated one-time password, printed once and to be changed at first sign-in.
    let o = user_create(db, "kanwil-jabar", "Admin@Jabar.example", "admin", None);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let otp = out
        .lines()
        .find_map(|l| l.split("sign-in): ").nth(1))
        .expect("password printed");
    let r = app
        .client()
        .sign_in("admin@jabar.example", otp.trim())
        .await;
    assert_eq!(r.location(), "/account/password");

    // A password from standard input; weak ones are refused.
    let weak = user_create(
        db,
        "kanwil-jabar",
        "rm@jabar.example",
        "rm",
        Some("password1234\n"),
    );
    fails_with(&weak, "too easy to guess");
    let strong = Some("bandung-lautan-api-1946\n");
    let o = user_create(db, "kanwil-jabar", "rm@jabar.example", "rm", strong);
    assert!(o.status.success(), "{}", text(&o));
    let r = app
        .client()
        .sign_in("rm@jabar.example", "bandung-lautan-api-1946")
        .await;
    assert_eq!(r.location(), "/my-month");

    // An existing account gets a membership in another tenant; its password stays.
    assert!(
        tenant_create(db, "kanwil-jatim", "Kanwil Jawa Timur", &[])
            .status
            .success()
    );
    let o = user_create(db, "kanwil-jatim", "rm@jabar.example", "supervisor", None);
    assert!(
        o.status.success() && text(&o).contains("password unchanged"),
        "{}",
        text(&o)
    );
    fails_with(
        &user_create(db, "kanwil-jatim", "rm@jabar.example", "rm", None),
        "already a member",
    );
    fails_with(
        &user_create(db, "nowhere", "a@b.example", "rm", None),
        "no tenant",
    );
    fails_with(
        &user_create(db, "kanwil-jatim", "a@b.example", "boss", None),
        "unknown role",
    );
}

#[tokio::test]
async fn the_demo_seed_is_idempotent_and_its_logins_work() {
    let app = spawn_app().await;
    let db = app.database.as_str();
    let first = relasi(db, &["seed", "--demo"], None);
    assert!(first.status.success(), "{}", text(&first));
    let second = relasi(db, &["seed", "--demo"], None);
    assert!(second.status.success(), "{}", text(&second));
    // What the command reports is on stdout; a log line (a slow statement on a busy machine) goes to
    // stderr and is not part of it.
    assert_eq!(
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&second.stdout),
        "the same logins are printed each time"
    );
    // Letters in every state, some in escalation chains, numbered without gaps.
    let states: Vec<String> = sqlx::query_scalar("select distinct state from letters order by 1")
        .fetch_all(&app.admin)
        .await
        .unwrap();
    assert_eq!(
        states,
        [
            "acknowledged",
            "approved",
            "cancelled",
            "draft",
            "escalated",
            "resolved",
            "returned",
            "sent",
            "submitted"
        ]
    );
    let (chains, gaps): (i64, i64) = sqlx::query_as(
        "select (select count(*) from letters where previous_id is not null),
                (select count(*) from (select kind, number_year, max(number_seq) - count(*) as gap
                                         from letters where number_seq is not null
                                        group by 1, 2) g where gap <> 0)",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert!(chains >= 3, "{chains} escalations");
    assert_eq!(gaps, 0);
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
        // Without the owner's login the server does not migrate; it checks the schema is current.
        .env("DATABASE_URL", app_url(&app.database))
        .env_remove("RELASI_OWNER_DATABASE_URL")
        .env("RELASI_LISTEN", format!("127.0.0.1:{port}"))
        // tower_http at debug logs each request as it starts: the test waits for that line.
        .env("RELASI_LOG", "info,tower_http=debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Logs go to stderr.
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let wait_for = |log: &mut BufReader<std::process::ChildStderr>, needle: &str| {
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
    // The server has the request (not only a connection waiting to be accepted) before the signal.
    wait_for(&mut log, "started processing request");

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

#[tokio::test]
async fn relasi_import_reports_rows_and_exits_non_zero_unless_the_import_went_through() {
    let app = spawn_app().await;
    let db = &app.database;
    assert!(tenant_create(db, "kanwil", "Kanwil", &[]).status.success());
    for email in [
        "dewi.lestari@demo.relasi.example",
        "agus.setiawan@demo.relasi.example",
        "putri.maharani@demo.relasi.example",
    ] {
        assert!(
            user_create(db, "kanwil", email, "rm", None)
                .status
                .success()
        );
    }
    let dir = std::env::temp_dir().join(format!("relasi-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let branches = dir.join("cabang.csv");
    std::fs::write(
        &branches,
        "Kode Cabang;Nama Kantor\nKC-SDM;Sudirman\nKC-MNT;Menteng\nKC-CKG;Cengkareng\n",
    )
    .unwrap();
    let fixture = |name: &str| {
        format!(
            "{}/tests/fixtures/imports/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let o = relasi(
        db,
        &[
            "import",
            "branch_offices",
            branches.to_str().unwrap(),
            "--tenant",
            "kanwil",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("3 inserted"), "{}", text(&o));

    // Rejected rows without --skip-invalid: the report, a non-zero exit, nothing written.
    let problems = fixture("employers_problems.csv");
    let o = relasi(
        db,
        &["import", "employers", &problems, "--tenant", "kanwil"],
        None,
    );
    assert!(!o.status.success());
    let out = text(&o);
    assert!(
        out.contains("row 4, column \"Email RM\", value \"tidak.ada@contoh.example\""),
        "{out}"
    );
    assert!(out.contains("nothing was written"), "{out}");
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from employers")
            .fetch_one(&app.admin)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0);

    // A dry run of a clean file writes nothing and succeeds; the import then writes it.
    let clean = fixture("employers_utf8_bom.csv");
    let o = relasi(
        db,
        &[
            "import",
            "employers",
            &clean,
            "--tenant",
            "kanwil",
            "--dry-run",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("3 to insert"), "{}", text(&o));
    assert_eq!(count().await, 0);
    let o = relasi(
        db,
        &["import", "employers", &clean, "--tenant", "kanwil"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(count().await, 3);

    // A file whose NPP now names another company: the dry run names the change of name.
    let renamed = dir.join("ganti nama.csv");
    std::fs::write(
        &renamed,
        std::fs::read_to_string(&clean)
            .unwrap()
            .replace("Sakura Manufacturing Indonesia", "PT Sumber Rejeki Abadi"),
    )
    .unwrap();
    let o = relasi(
        db,
        &[
            "import",
            "employers",
            renamed.to_str().unwrap(),
            "--tenant",
            "kanwil",
            "--dry-run",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("Employers that would get another name: 1."),
        "{out}"
    );
    assert!(
        out.contains(
            "NPP 22334455: \"Sakura Manufacturing Indonesia\" → \"PT Sumber Rejeki Abadi\""
        ),
        "{out}"
    );
    assert!(out.contains("1 to update"), "{out}");

    // --skip-invalid writes the valid rows of the problem file.
    let o = relasi(
        db,
        &[
            "import",
            "employers",
            &problems,
            "--tenant",
            "kanwil",
            "--skip-invalid",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("5 rejected"), "{}", text(&o));
    assert_eq!(count().await, 8);

    // Refusals: a file that is not one, an unknown kind or tenant — a message, never a panic.
    for (args, needle) in [
        (
            vec![
                "import",
                "employers",
                &fixture("binary_renamed.csv") as &str,
                "--tenant",
                "kanwil",
            ],
            "neither a CSV",
        ),
        (
            vec![
                "import",
                "employers",
                &fixture("zip_bomb.xlsx") as &str,
                "--tenant",
                "kanwil",
            ],
            "unpack",
        ),
        (
            vec!["import", "people", &clean as &str, "--tenant", "kanwil"],
            "unknown kind",
        ),
        (
            vec!["import", "employers", &clean as &str, "--tenant", "nope"],
            "no tenant",
        ),
        (
            vec![
                "import",
                "employers",
                "/nonexistent.csv",
                "--tenant",
                "kanwil",
            ],
            "cannot read",
        ),
    ] {
        let o = relasi(db, &args, None);
        assert!(!o.status.success(), "{args:?}");
        assert!(text(&o).contains(needle), "{args:?}: {}", text(&o));
        assert!(!text(&o).contains("panicked"));
    }
    std::fs::remove_dir_all(&dir).ok();
}
