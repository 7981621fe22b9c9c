//! Browser flows in headless Chromium, against a real server and database.

use relasi::tenancy::domain::Role;

use crate::helpers::{PASSWORD, spawn_app};
use crate::webdriver::Browser;

#[tokio::test]
async fn an_admin_invites_a_person_who_joins_on_a_phone_and_sets_up_a_second_factor() {
    let app = spawn_app().await;
    let t = app
        .tenant_with("demo", "Kanwil DKI Jakarta — Korporasi", "everyone")
        .await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    let rina_key = app.enrol_second_factor("rina@x.example").await;
    let b = Browser::start(1280, 900).await;

    // The admin signs in: password, then the code from her app.
    b.goto(&format!("{}/admin", app.base)).await;
    b.wait_for_path("/login").await;
    b.fill("#f-email", "rina@x.example").await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/login/second-factor").await;
    b.screenshot("second-factor-question").await;
    b.fill("#f-code", &rina_key.code_at(app.clock.now())).await;
    b.click("form[action='/login/second-factor'] button[type=submit]")
        .await;
    b.wait_for_path("/admin").await;
    assert!(
        b.text().await.contains("Kelola orang"),
        "Indonesian by default"
    );
    // Switch to English.
    b.click("form[action='/language'] button").await;
    b.find("html[lang=en]").await;
    assert!(b.text().await.contains("Manage the people"));

    // She invites a relationship manager; the link is shown once.
    b.goto(&format!("{}/admin/users", app.base)).await;
    b.click("a[href='/admin/invitations/new']").await;
    b.fill("#f-email", "budi.santoso@x.example").await;
    b.click("#f-role option[value=rm]").await;
    b.screenshot("invite-form").await;
    b.click("form[action='/admin/invitations'] button[type=submit]")
        .await;
    let link = b.element_text("#invitation-link code").await;
    assert!(
        link.starts_with(&format!("{}/invitations/", app.base)),
        "{link}"
    );
    b.screenshot("invitation-created").await;
    b.quit().await;

    // Budi opens the link on his phone and creates his account.
    let phone = Browser::start(360, 740).await;
    phone.goto(&link).await;
    phone.find("form[action$='/register']").await;
    assert!(phone.text().await.contains("Kanwil DKI Jakarta"));
    assert!(phone.fits_width().await, "the invitation fits 360 px");
    phone.screenshot("invitation-phone").await;
    phone.fill("#f-name", "Budi Santoso").await;
    phone.fill("#f-password", "Budi Santoso 2026").await;
    phone.fill("#f-confirm", "Budi Santoso 2026").await;
    phone
        .click("form[action$='/register'] button[type=submit]")
        .await;
    // A password made of his own name is refused beside the field; his name stays as typed.
    phone.find("#e-password").await;
    assert!(phone.source().await.contains("value=\"Budi Santoso\""));
    phone.screenshot("invitation-phone-refused").await;
    phone.fill("#f-password", "nasi-goreng-kambing-senin").await;
    phone.fill("#f-confirm", "nasi-goreng-kambing-senin").await;
    phone
        .click("form[action$='/register'] button[type=submit]")
        .await;

    // The unit asks everyone for a second factor: he sets it up before anything else.
    phone.wait_for_path("/account/second-factor").await;
    phone.find(".qr svg").await;
    assert!(phone.fits_width().await, "the set-up page fits 360 px");
    phone.screenshot("second-factor-setup-phone").await;
    let key = phone.element_text("#totp-key code").await;
    let budi_key = crate::helpers::secret_from_typed(&key);
    phone
        .fill("#f-code", &budi_key.code_at(app.clock.now()))
        .await;
    phone
        .click("form[action='/account/second-factor/confirm'] button[type=submit]")
        .await;
    let codes = phone.element_text("#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "{codes}");
    phone.screenshot("recovery-codes-phone").await;
    phone.click("footer a[role=button]").await;
    phone.wait_for_path("/my-month").await;
    assert!(phone.fits_width().await);
    phone.screenshot("my-month-after-joining").await;
    phone.quit().await;

    let (role, accepted): (String, bool) = sqlx::query_as(
        "select m.role, i.accepted_at is not null from memberships m
           join users u on u.id = m.user_id join invitations i on i.email = u.email
          where u.email = 'budi.santoso@x.example'",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!((role.as_str(), accepted), ("rm", true));
}

#[tokio::test]
async fn the_shell_fits_a_360_px_phone_and_works_without_javascript_for_forms() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    let b = Browser::start(360, 740).await;
    b.goto(&format!("{}/login", app.base)).await;
    assert!(b.fits_width().await, "login fits 360 px");
    b.fill("#f-email", "rina@x.example").await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/admin").await;
    for path in [
        "/admin",
        "/admin/users",
        "/admin/branches/new",
        "/admin/settings",
        "/admin/audit",
    ] {
        b.goto(&format!("{}{path}", app.base)).await;
        b.find("main h1").await;
        assert!(b.fits_width().await, "{path} fits 360 px");
    }
    b.goto(&format!("{}/admin/users", app.base)).await;
    b.screenshot("users-360").await;
    // A validation error comes back beside the field, with what was typed.
    b.goto(&format!("{}/admin/branches/new", app.base)).await;
    b.fill("#f-code", "kc sdm!").await;
    b.fill("#f-name", "Jakarta Sudirman").await;
    b.click("main form button[type=submit]").await;
    let error = b.element_text("#e-code").await;
    assert!(error.contains("huruf besar"), "{error}");
    assert!(b.source().await.contains("value=\"Jakarta Sudirman\""));
    b.screenshot("branch-error-360").await;
    b.quit().await;
}

#[tokio::test]
async fn admin_pages_and_error_pages_render_for_a_person() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    app.user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    let b = Browser::start(1280, 900).await;
    b.goto(&format!("{}/login", app.base)).await;
    b.fill("#f-email", "rina@x.example").await;
    b.fill("#f-password", "wrong-password-here").await;
    b.click("form[action='/login'] button[type=submit]").await;
    wait_for_text(&b, "Email atau kata sandi salah.").await;
    b.screenshot("login-error").await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path("/admin").await;

    b.goto(&format!("{}/admin/branches/new", app.base)).await;
    b.fill("#f-code", "KC-SDM").await;
    b.fill("#f-name", "Kantor Cabang Jakarta Sudirman").await;
    b.fill("#f-region", "DKI Jakarta").await;
    b.click("main form button[type=submit]").await;
    b.wait_for_path("/admin/branches").await;
    assert!(b.text().await.contains("Kantor cabang ditambahkan."));
    b.screenshot("branches").await;

    b.goto(&format!("{}/admin/users", app.base)).await;
    b.click("table a[href^='/admin/users/']:not([href='/admin/users/new'])")
        .await;
    b.find("main h1").await;
    b.screenshot("user-show").await;

    b.goto(&format!("{}/admin/settings", app.base)).await;
    b.screenshot("settings").await;
    b.goto(&format!("{}/admin/audit", app.base)).await;
    assert!(b.text().await.contains("Kantor cabang dibuat"));
    b.screenshot("audit").await;
    b.goto(&format!("{}/no/such/page", app.base)).await;
    assert!(b.text().await.contains("Halaman tidak ditemukan"));
    b.screenshot("not-found").await;
    b.quit().await;
}

/// Signs in through the form and waits for the role's home page.
async fn sign_in(b: &Browser, base: &str, email: &str, home: &str) {
    b.goto(&format!("{base}/login")).await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for_path(home).await;
}

/// Waits until the page's text contains `needle` (htmx swaps and redirects take a moment).
async fn wait_for_text(b: &Browser, needle: &str) {
    wait_for_text_within(b, needle, 100).await
}

/// The same, for up to `tries` × 50 ms (a background job's page reloads itself when the job is done).
async fn wait_for_text_within(b: &Browser, needle: &str, tries: u32) {
    for _ in 0..tries {
        if b.text().await.contains(needle) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{needle:?} never appeared in: {}", b.text().await);
}

#[tokio::test]
async fn an_rm_creates_an_employer_adds_key_persons_and_finds_a_departure_in_the_history() {
    use relasi::employers::domain::luhn_check_digit;
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    let b = Browser::start(1280, 900).await;
    sign_in(&b, &app.base, "dewi@x.example", "/my-month").await;

    b.goto(&format!("{}/employers/new", app.base)).await;
    b.fill("#f-name", "PT Sinar Pelita Logistik").await;
    let good = format!("01855081{}412000", luhn_check_digit("01855081"));
    let wrong = (good.as_bytes()[8] - b'0' + 1) % 10;
    b.fill("#f-npwp", &format!("{}{}{}", &good[..8], wrong, &good[9..]))
        .await;
    b.fill("#f-npp", "00770001").await;
    b.click("form.employer-form button[type=submit]").await;
    b.find("#e-npwp").await;
    assert!(b.text().await.contains("Digit pemeriksa NPWP"));
    assert_eq!(
        b.execute("return document.getElementById('f-name').value")
            .await,
        "PT Sinar Pelita Logistik",
        "the form comes back filled"
    );
    b.screenshot("employer-form-npwp-error").await;
    b.fill("#f-npwp", &good).await;
    b.click("form.employer-form button[type=submit]").await;
    wait_for_text(&b, "Pemberi kerja disimpan.").await;
    let employer_url = b.url().await;

    for (name, level) in [
        ("Hendra Wijaya", "bod"),
        ("Siti Rahmawati", "bod_minus_one"),
    ] {
        b.click("a[href$='/key-persons/new']").await;
        b.fill("#f-full_name", name).await;
        b.click(&format!("#f-level option[value={level}]")).await;
        b.click("form[action$='/key-persons'] button[type=submit]")
            .await;
        wait_for_text(&b, name).await;
    }
    b.goto(&employer_url).await;
    b.click("#key-persons a[href$='/left']").await;
    b.fill("#f-left_reason", "Pensiun").await;
    b.click("form.narrow button[type=submit]").await;
    wait_for_text(&b, "Tercatat keluar dari perusahaan.").await;
    let former = b.element_text("ul.former-list").await;
    assert!(former.contains("Pensiun"), "{former}");
    let history = b.element_text("#history").await;
    assert!(
        history.contains("Orang kunci keluar dari perusahaan"),
        "{history}"
    );
    assert!(history.contains("Pensiun"));
    b.screenshot("employer-page").await;
    b.quit().await;
}

#[tokio::test]
async fn a_supervisor_filters_the_list_and_reassigns_two_employers() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "bambang@x.example", "Bambang Hartono", Role::Supervisor)
        .await;
    let agus = app
        .user(t, "agus@x.example", "Agus Setiawan", Role::Rm)
        .await;
    let sup = app.signed_in("bambang@x.example").await;
    for (name, status) in [
        ("PT Alfa Karya", "active"),
        ("PT Beta Karya", "active"),
        ("PT Gama Karya", "inactive"),
        ("PT Delta Niaga", "active"),
    ] {
        let r = sup
            .post(
                "/employers",
                &[
                    ("name", name),
                    ("segment", "corporate"),
                    ("ownership", "private_domestic"),
                    ("status", status),
                    ("stage", "approach"),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    let b = Browser::start(1280, 900).await;
    sign_in(&b, &app.base, "bambang@x.example", "/dashboard").await;
    b.goto(&format!("{}/employers", app.base)).await;
    b.fill("#q", "karya").await;
    b.click("details.filter-more summary").await;
    b.click("select[name=status] option[value=active]").await;
    // Search-as-you-type and the filter swap the results in place.
    for _ in 0..100 {
        let t = b.element_text("#results").await;
        if t.contains("PT Alfa Karya")
            && !t.contains("PT Gama Karya")
            && !t.contains("PT Delta Niaga")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let results = b.element_text("#results").await;
    assert!(
        results.contains("PT Beta Karya") && !results.contains("PT Gama Karya"),
        "{results}"
    );
    assert!(
        b.url().await.contains("status=active"),
        "the filters are in the URL"
    );
    b.click("input[name=ids][aria-label$='PT Alfa Karya']")
        .await;
    b.click("input[name=ids][aria-label$='PT Beta Karya']")
        .await;
    b.click(&format!("select[name=rm_id] option[value='{}']", agus.0))
        .await;
    b.screenshot("employer-list-reassign").await;
    b.click("#reassign-form button[type=submit]").await;
    wait_for_text(&b, "Pemberi kerja terpilih telah dipindahkan.").await;
    let moved: Vec<String> =
        sqlx::query_scalar("select name from employers where rm_id = $1 order by name")
            .bind(agus.0)
            .fetch_all(&app.admin)
            .await
            .unwrap();
    assert_eq!(moved, ["PT Alfa Karya", "PT Beta Karya"]);
    b.quit().await;
}

#[tokio::test]
async fn the_employer_list_fits_a_phone() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "bambang@x.example", "Bambang Hartono", Role::Supervisor)
        .await;
    let sup = app.signed_in("bambang@x.example").await;
    for i in 0..12 {
        let name = format!("PT Perusahaan Dengan Nama Yang Cukup Panjang Nomor {i}");
        let npp = format!("{:08}", 10_000_000 + i);
        sup.post(
            "/employers",
            &[
                ("name", name.as_str()),
                ("npp", npp.as_str()),
                ("segment", "corporate"),
                ("ownership", "private_domestic"),
                ("status", "active"),
                ("stage", "monitoring"),
                ("city", "Jakarta Selatan"),
                ("version", "0"),
            ],
        )
        .await;
    }
    let b = Browser::start(360, 740).await;
    sign_in(&b, &app.base, "bambang@x.example", "/dashboard").await;
    b.goto(&format!("{}/employers", app.base)).await;
    b.find("table.employer-table").await;
    assert!(b.fits_width().await, "no sideways scrolling at 360 px");
    b.screenshot("employer-list-360").await;
    let id: uuid::Uuid = sqlx::query_scalar("select id from employers limit 1")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    b.goto(&format!("{}/employers/{id}", app.base)).await;
    b.find("#profile").await;
    assert!(b.fits_width().await, "the employer page fits too");
    b.screenshot("employer-page-360").await;
    b.quit().await;
}

#[tokio::test]
async fn an_rm_logs_a_bod1_meeting_with_a_follow_up_from_a_phone() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    let api = app.signed_in("dewi@x.example").await;
    let mut people = Vec::new();
    for (company, person, level) in [
        ("PT Alfa Samudra Logistik", "Nur Sitompul", "bod_minus_one"),
        ("PT Beta Karya Konstruksi", "Rudi Susanto", "bod"),
    ] {
        let (r, id) = crate::fixtures::create(&api, company, &[]).await;
        assert_eq!(r.status, 303);
        let id = id.unwrap();
        let r = api
            .post(
                &format!("/employers/{id}/key-persons"),
                &[
                    ("full_name", person),
                    ("position_title", "Kepala Divisi Human Capital"),
                    ("level", level),
                    ("influence", "4"),
                    ("legal_basis", "legitimate_interest"),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let person_id: uuid::Uuid =
            sqlx::query_scalar("select id from key_persons where full_name = $1")
                .bind(person)
                .fetch_one(&app.admin)
                .await
                .unwrap();
        people.push((id, person_id));
    }
    let (alfa, nur) = people[0];

    let b = Browser::start(360, 740).await;
    sign_in(&b, &app.base, "dewi@x.example", "/my-month").await;
    wait_for_text(&b, "Bertemu 0 dari 2 pemberi kerja aktif").await;
    assert!(b.text().await.contains("PT Alfa Samudra Logistik"));
    assert!(b.fits_width().await, "My month fits 360 px");

    // From My month to the phone-size form for the first employer still to meet.
    b.click(&format!("a[href^='/meetings/new?employer={alfa}']"))
        .await;
    b.find("form.meeting-form").await;
    assert!(b.fits_width().await, "the meeting form fits 360 px");
    b.click(&format!("input[name=attendees][value='{nur}']"))
        .await;
    b.click("input[name=topics][value=regulation_education]")
        .await;
    b.fill("#f-commitments", "HC mengirim daftar pekerja kontrak")
        .await;
    b.click("details.more summary").await;
    b.fill(
        "#f-follow_up_title",
        "Kirim materi JKP dalam bahasa Inggris",
    )
    .await;
    // Submitted without a summary: the form comes back intact, the message beside the field.
    b.click("form.meeting-form button[type=submit]").await;
    let error = b.element_text("#e-summary").await;
    assert!(error.contains("ringkasan"), "{error}");
    let still = b
        .execute(&format!(
            "return [document.querySelector(\"input[name=attendees][value='{nur}']\").checked,
                     document.querySelector('input[name=topics][value=regulation_education]').checked,
                     document.querySelector('#f-follow_up_title').value,
                     document.querySelector('#f-commitments').value]"
        ))
        .await;
    assert_eq!(
        still,
        serde_json::json!([
            true,
            true,
            "Kirim materi JKP dalam bahasa Inggris",
            "HC mengirim daftar pekerja kontrak"
        ])
    );
    b.screenshot("meeting-form-error-360").await;
    b.fill(
        "#f-summary",
        "Sosialisasi regulasi JKP kepada Kepala Divisi HC; sepakat mendaftarkan pekerja kontrak.",
    )
    .await;
    b.click("form.meeting-form button[type=submit]").await;
    b.wait_for_path("/my-month").await;
    wait_for_text(&b, "Pertemuan disimpan.").await;
    let text = b.text().await;
    assert!(
        text.contains("Bertemu 1 dari 2 pemberi kerja aktif"),
        "{text}"
    );
    assert!(text.contains("Kirim materi JKP dalam bahasa Inggris"));
    assert!(b.fits_width().await);
    b.screenshot("my-month-360").await;

    // The employer is marked met, with the follow-up on its page and in the brief.
    b.goto(&format!("{}/my-month?show=met", app.base)).await;
    wait_for_text(&b, "PT Alfa Samudra Logistik").await;
    assert!(!b.text().await.contains("PT Beta Karya Konstruksi"));
    b.goto(&format!("{}/employers/{alfa}/brief", app.base))
        .await;
    wait_for_text(&b, "HC mengirim daftar pekerja kontrak").await;
    assert!(b.text().await.contains("Nur Sitompul"));
    assert!(b.fits_width().await, "the brief fits 360 px");
    b.screenshot("meeting-brief-360").await;
    b.quit().await;
}

#[tokio::test]
async fn an_rms_morning_on_a_phone_call_record_a_plan_close_a_follow_up_and_export_what_is_shown() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    let dewi = app
        .user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    let api = app.signed_in("dewi@x.example").await;
    let (_, alfa) = crate::fixtures::create(&api, "PT Alfa Samudra Logistik", &[]).await;
    let alfa = alfa.unwrap();
    for (name, status) in [
        ("PT Beta Karya Konstruksi", "inactive"),
        ("PT Gamma Niaga Prima", "inactive"),
        ("PT Delta Sarana Medika", "active"),
    ] {
        crate::fixtures::create(&api, name, &[("status", status)]).await;
    }
    let nur = crate::fixtures::add_person(&api, alfa, "Nur Sitompul", "bod_minus_one").await;
    let r = api
        .post(
            &format!("/key-persons/{nur}"),
            &[
                ("full_name", "Nur Sitompul"),
                ("position_title", "Kepala Divisi Human Capital"),
                ("level", "bod_minus_one"),
                ("influence", "4"),
                ("legal_basis", "legitimate_interest"),
                ("phone", "0812-1111-2222"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let planned = crate::fixtures::log_meeting(
        &api,
        alfa,
        &[
            ("status", "planned"),
            ("starts_at", "2026-11-16T08:30"),
            ("summary", ""),
        ],
    )
    .await;
    let r = api
        .post(
            &format!("/employers/{alfa}/follow-ups"),
            &[
                ("title", "Kirim simulasi iuran JKP"),
                ("assignee", &dewi.0.to_string()),
                ("due_on", "2026-11-16"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // My month on the phone: today's follow-up and the plan lead, above the portfolio.
    let b = Browser::start(360, 740).await;
    sign_in(&b, &app.base, "dewi@x.example", "/my-month").await;
    let tops = b
        .execute(
            "return ['#follow-ups-due', '#planned', '#portfolio-h']
                 .map(s => document.querySelector(s).getBoundingClientRect().top)",
        )
        .await;
    let tops: Vec<f64> = serde_json::from_value(tops).unwrap();
    assert!(
        tops[0] < 740.0,
        "the follow-ups due are on the first screen: {tops:?}"
    );
    assert!(tops[0] < tops[2] && tops[1] < tops[2], "{tops:?}");
    assert!(b.fits_width().await);
    b.screenshot("morning-my-month").await;

    // The employer page: the key person is one tap away, on the phone too.
    b.goto(&format!("{}/employers/{alfa}", app.base)).await;
    let call = b
        .execute(
            "const a = document.querySelector('#key-persons a[href^=\"tel:\"]');
             const r = a.getBoundingClientRect();
             return [a.getAttribute('href'), r.width > 0 && r.height > 0 && r.right <= window.innerWidth]",
        )
        .await;
    assert_eq!(call, serde_json::json!(["tel:+6281211112222", true]));
    assert!(b.source().await.contains("https://wa.me/6281211112222"));
    b.screenshot("morning-employer-contacts").await;

    // "Log" offers the planned meeting first; its outcome is recorded, not a second meeting.
    b.goto(&format!(
        "{}/meetings/new?employer={alfa}&back=/my-month",
        app.base
    ))
    .await;
    b.click(&format!(
        ".planned-offer a[href='/meetings/{planned}/complete']"
    ))
    .await;
    b.wait_for_path(&format!("/meetings/{planned}/complete"))
        .await;
    b.click(&format!("input[name=attendees][value='{nur}']"))
        .await;
    b.fill(
        "#f-summary",
        "Rekonsiliasi data pekerja; HC setuju mendaftarkan 120 pekerja kontrak.",
    )
    .await;
    b.click("form.meeting-form button[type=submit]").await;
    wait_for_text(&b, "Rekonsiliasi data pekerja").await;
    let (planned_left, held): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where status = 'planned'), count(*) filter (where status = 'held') from meetings",
    )
    .fetch_one(&app.admin)
    .await
    .unwrap();
    assert_eq!(
        (planned_left, held),
        (0, 1),
        "the plan became the held meeting"
    );

    // The follow-up is marked done from My month.
    b.goto(&format!("{}/my-month", app.base)).await;
    b.click("#follow-ups-due form[action$='/done'] button")
        .await;
    // Already on My month: wait for the answer to the click, not for the path.
    wait_for_text(&b, relasi::web::i18n::Lang::Id.t("follow_up.marked_done")).await;
    b.wait_for_path("/my-month").await;
    let done: bool = sqlx::query_scalar("select done_at is not null from follow_ups")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    assert!(done);

    // The list filtered live to inactive employers; the export holds exactly the rows shown.
    b.goto(&format!("{}/employers", app.base)).await;
    b.find("#results").await;
    b.execute(
        "const s = document.querySelector('select[name=status]');
         s.value = 'inactive';
         s.dispatchEvent(new Event('change', {bubbles: true}));",
    )
    .await;
    wait_for_text(&b, "PT Gamma Niaga Prima").await;
    for _ in 0..100 {
        if !b.text().await.contains("PT Delta Sarana Medika") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let shown: Vec<String> = serde_json::from_value(
        b.execute(
            "return Array.from(document.querySelectorAll('#results tbody tr td a[href^=\"/employers/\"]'))
                 .map(a => a.textContent.trim())",
        )
        .await,
    )
    .unwrap();
    assert_eq!(shown, ["PT Beta Karya Konstruksi", "PT Gamma Niaga Prima"]);
    let csv = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('#export-csv').getAttribute('href')).then(r => r.text()).then(done);",
        )
        .await;
    let csv = csv
        .as_str()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .to_owned();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let exported: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(exported, shown, "the file holds what the screen shows");
    b.screenshot("morning-filtered-list").await;
    b.quit().await;
}

#[tokio::test]
async fn on_a_touch_screen_every_control_is_at_least_44_px_and_the_menu_stays_on_screen() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    app.user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    let api = app.signed_in("dewi@x.example").await;
    let (e, _) =
        crate::fixtures::employer_with_person(&api, "PT Alfa Samudra Logistik", "bod").await;
    // Controls: buttons and what looks like one, tabs, menu items, fields; links inside running text
    // are not controls.
    let small_controls = "return Array.from(document.querySelectorAll(['main button', 'main [role=button]',
            'main .small-button', 'main select', 'main input:not([type=hidden]):not([type=checkbox]):not([type=radio])',
            '.tabs a', '.mainnav a', '.pf-actions a', '.row-actions a', '.pagination a', '.month-nav a'].join(', ')))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
        .filter(([_, r]) => r.height < 44 || r.width < 44)
        .map(([h, r]) => h + ' ' + Math.round(r.width) + '×' + Math.round(r.height))";
    for (email, paths) in [
        (
            "dewi@x.example",
            vec![
                "/my-month".to_owned(),
                "/employers".to_owned(),
                format!("/employers/{e}"),
                format!("/meetings/new?employer={e}"),
            ],
        ),
        ("rina@x.example", vec!["/admin".to_owned()]),
    ] {
        let home = if email.starts_with("dewi") {
            "/my-month"
        } else {
            "/admin"
        };
        let b = Browser::start_touch(360, 740).await;
        assert_eq!(
            b.execute("return matchMedia('(pointer: coarse)').matches")
                .await,
            serde_json::json!(true)
        );
        sign_in(&b, &app.base, email, home).await;
        for path in paths {
            b.goto(&format!("{}{path}", app.base)).await;
            b.find("main").await;
            let small = b.execute(small_controls).await;
            assert_eq!(small, serde_json::json!([]), "{path}");
            // Every menu item is inside the screen (the admin's too), none scrolled out of sight.
            let off = b
                .execute(
                    "return Array.from(document.querySelectorAll('.mainnav a'))
                         .filter(a => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })
                         .map(a => a.textContent.trim())",
                )
                .await;
            assert_eq!(off, serde_json::json!([]), "{path}");
            assert!(b.fits_width().await, "{path}");
        }
        b.screenshot(&format!("touch-{}", &home[1..])).await;
        b.quit().await;
    }
}

#[tokio::test]
async fn a_supervisor_enters_a_month_on_a_phone_and_the_chart_and_table_show_the_arrears() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "bambang@x.example", "Bambang Hartono", Role::Supervisor)
        .await;
    let api = app.signed_in("bambang@x.example").await;
    let (r, id) = crate::fixtures::create(&api, "PT Gamma Tekstil Nusantara", &[]).await;
    assert_eq!(r.status, 303);
    let id = id.unwrap();
    // August paid late, in full.
    let r = api
        .post(
            &format!("/employers/{id}/contributions"),
            &[
                ("period", "2026-08"),
                ("workers_reported", "850"),
                ("wages_reported", "4.250.000.000"),
                ("amount_due", "425.000.000"),
                ("amount_paid", "425.000.000"),
                ("paid_on", "2026-09-21"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);

    let b = Browser::start(360, 740).await;
    sign_in(&b, &app.base, "bambang@x.example", "/dashboard").await;
    b.goto(&format!(
        "{}/employers/{id}/contributions/2026-09",
        app.base
    ))
    .await;
    b.find("#f-amount_due").await;
    assert!(b.fits_width().await, "the contribution form fits 360 px");
    // September, nothing paid, typed the Indonesian way; a payment day without a payment is refused.
    b.fill("#f-workers_reported", "852").await;
    b.fill("#f-wages_reported", "4.260.000.000").await;
    b.fill("#f-amount_due", "Rp 426.000.000").await;
    // A date input takes its value in the browser's own format when typed; set it as the picker does.
    b.execute("document.getElementById('f-paid_on').value = '2026-10-10'")
        .await;
    b.click("form[action$='/contributions'] button[type=submit]")
        .await;
    let error = b.element_text("#e-paid_on").await;
    assert!(error.contains("Tidak ada pembayaran"), "{error}");
    assert_eq!(
        b.execute("return document.getElementById('f-amount_due').value")
            .await,
        "Rp 426.000.000",
        "what was typed stays"
    );
    b.execute("document.getElementById('f-paid_on').value = ''")
        .await;
    b.click("form[action$='/contributions'] button[type=submit]")
        .await;
    wait_for_text(&b, "Rp 426.000.000").await;
    assert!(
        b.url()
            .await
            .ends_with(&format!("/employers/{id}#contributions"))
    );
    // Due on Thursday 15 October; on 16 November it is two started months late.
    let row = b.element_text("tr.row-arrears").await;
    assert!(row.contains("Sep 2026") && row.contains("2 bln"), "{row}");
    // The chart library drew the canvas; the table under it holds the same months.
    let drawn = b
        .execute("return document.querySelector('#contributions canvas').dataset.drawn || ''")
        .await;
    assert_eq!(drawn, "1");
    assert!(b.fits_width().await, "the employer page fits 360 px");
    b.screenshot("contributions-phone").await;
    b.quit().await;
}

#[tokio::test]
async fn a_warning_letter_is_drafted_approved_printed_sent_and_escalated_when_overdue() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta — Korporasi").await;
    app.user(t, "dewi@x.example", "Dewi Lestari", Role::Rm)
        .await;
    app.user(t, "bambang@x.example", "Bambang Hartono", Role::Supervisor)
        .await;
    let rm = app.signed_in("dewi@x.example").await;
    let sup = app.signed_in("bambang@x.example").await;
    sqlx::query(
        "update tenants set letterhead_office = 'BPJS Ketenagakerjaan Kantor Wilayah DKI Jakarta',
                letterhead_address = 'Jl. Gatot Subroto No. 79, Jakarta Selatan', letterhead_city = 'Jakarta',
                letterhead_signatory_name = 'Bambang Hartono',
                letterhead_signatory_title = 'Kepala Bidang Kepesertaan Korporasi dan Institusi'
          where id = $1",
    )
    .bind(t.0)
    .execute(&app.admin)
    .await
    .unwrap();
    let (r, id) = crate::fixtures::create(&rm, "PT Delta Logistik Nusantara", &[]).await;
    assert_eq!(r.status, 303);
    let employer = id.unwrap();
    for (period, due) in [("2026-08", "84.000.000"), ("2026-09", "85.500.000")] {
        let r = sup
            .post(
                &format!("/employers/{employer}/contributions"),
                &[
                    ("period", period),
                    ("workers_reported", "420"),
                    ("wages_reported", "2.100.000.000"),
                    ("amount_due", due),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }

    // The RM drafts a first warning on her phone and submits it.
    let phone = Browser::start(360, 740).await;
    sign_in(&phone, &app.base, "dewi@x.example", "/my-month").await;
    phone
        .goto(&format!("{}/employers/{employer}", app.base))
        .await;
    phone
        .click(&format!(
            "#letters a[href='/employers/{employer}/letters/new']"
        ))
        .await;
    phone.find("#f-kind").await;
    assert!(
        phone.text().await.contains("Rp 169.500.000"),
        "today's arrears"
    );
    phone
        .execute("document.getElementById('f-kind').value = 'warning_1'")
        .await;
    phone
        .click("form[action$='/letters/new'] button[type=submit]")
        .await;
    wait_for_text(&phone, "Draf").await;
    let letter = phone.url().await;
    let letter_path = letter.trim_start_matches(&app.base).to_owned();
    assert!(letter_path.starts_with("/letters/"), "{letter_path}");
    assert!(phone.fits_width().await, "the letter page fits 360 px");
    phone.screenshot("letter-draft-phone").await;
    phone.click("form[action$='/submit'] button").await;
    wait_for_text(&phone, "Menunggu persetujuan").await;
    phone.quit().await;

    // The supervisor approves it from the queue on a desktop.
    let desk = Browser::start(1280, 900).await;
    sign_in(&desk, &app.base, "bambang@x.example", "/dashboard").await;
    desk.goto(&format!("{}/letters/queue", app.base)).await;
    assert!(desk.text().await.contains("Dewi Lestari"), "the drafter");
    desk.click(&format!(".queue-table a[href='{letter_path}']"))
        .await;
    desk.click("form[action$='/approve'] button").await;
    wait_for_text(&desk, "/TEG-I/DEMO/XI/2026").await;
    assert!(
        desk.accessibility_violations().await.is_empty(),
        "{:?}",
        desk.accessibility_violations().await
    );
    desk.goto(&format!("{}/letters", app.base)).await;
    desk.find(".pipeline").await;
    let violations = desk.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    desk.screenshot("letters-pipeline").await;
    desk.quit().await;

    // The RM prints it, then marks it sent.
    let rm_desk = Browser::start(1280, 1000).await;
    sign_in(&rm_desk, &app.base, "dewi@x.example", "/my-month").await;
    rm_desk
        .goto(&format!("{}{letter_path}/print", app.base))
        .await;
    let print = rm_desk.text().await;
    assert!(print.contains("001/TEG-I/DEMO/XI/2026") && print.contains("Rp 169.500.000"));
    rm_desk.screenshot("letter-print-a4").await;
    rm_desk.goto(&letter).await;
    rm_desk.click("details.step-form summary").await;
    rm_desk
        .click("form[action$='/send'] button[type=submit]")
        .await;
    wait_for_text(&rm_desk, "Terkirim").await;
    assert!(
        rm_desk.text().await.contains("30 Nov 2026"),
        "due in ten working days"
    );
    rm_desk.quit().await;

    // Ten working days later no answer has come: overdue, and one click escalates to a second warning.
    app.clock.advance(chrono::Duration::days(15));
    let later = Browser::start(1280, 900).await;
    sign_in(&later, &app.base, "dewi@x.example", "/my-month").await;
    assert!(
        later.text().await.contains("PT Delta Logistik Nusantara"),
        "waiting on her"
    );
    later.goto(&letter).await;
    later.find(".letter-overdue").await;
    later.screenshot("letter-overdue").await;
    later.click("form[action$='/escalate'] button").await;
    wait_for_text(&later, "Surat Teguran II").await;
    assert_ne!(later.url().await, letter, "the new draft");
    assert!(
        later.text().await.contains("001/TEG-I/DEMO/XI/2026"),
        "the chain"
    );
    later.quit().await;
}

#[tokio::test]
async fn an_admin_imports_a_workbook_fixes_a_column_reads_the_report_and_commits() {
    let app = spawn_app().await;
    let t = app.tenant("demo", "Kanwil DKI Jakarta").await;
    app.user(t, "rina@x.example", "Rina Kusumawati", Role::Admin)
        .await;
    for (email, name) in [
        ("dewi.lestari@demo.relasi.example", "Dewi Lestari"),
        ("agus.setiawan@demo.relasi.example", "Agus Setiawan"),
        ("putri.maharani@demo.relasi.example", "Putri Maharani"),
    ] {
        app.user(t, email, name, Role::Rm).await;
    }
    let admin = app.signed_in("rina@x.example").await;
    for code in ["KC-SDM", "KC-MNT", "KC-CKG"] {
        let r = admin
            .post(
                "/admin/branches",
                &[("code", code), ("name", code), ("version", "0")],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    // The server's background worker, as `relasi serve` runs it.
    relasi::jobs::spawn_worker(
        app.pool.clone(),
        app.clock.clone(),
        std::sync::Arc::new(relasi::imports::service::ImportJobs {
            clock: app.clock.clone(),
        }),
        app.jobs.clone(),
    );

    let b = Browser::start(1280, 900).await;
    sign_in(&b, &app.base, "rina@x.example", "/admin").await;
    b.click("a[href='/admin/imports']").await;
    b.wait_for_path("/admin/imports").await;
    b.click("#f-kind option[value=employers]").await;
    let file = format!(
        "{}/tests/fixtures/imports/employers_excel_serial_dates.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    b.attach("#f-file", &file).await;
    b.screenshot("import-upload").await;
    b.click("form[action='/admin/imports'] button[type=submit]")
        .await;

    // The columns were matched by their headers; the preview shows Excel's #N/A in the city column,
    // so the admin leaves the city out.
    b.find("select[name=m_npp]").await;
    let text = b.text().await;
    assert!(text.contains("PT Serial Tanggal Makmur"), "{text}");
    assert!(text.contains("#N/A"));
    let city: String = b
        .execute("return document.querySelector('select[name=m_city]').value")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!city.is_empty(), "the city column was matched");
    b.click("select[name=m_city] option[value='']").await;
    b.screenshot("import-mapping").await;
    b.click("form[action$='/mapping'] button[type=submit]")
        .await;

    // The dry run's report: two rows to add, the institution without its type rejected.
    wait_for_text_within(&b, "Laporan", 400).await;
    let report = b.text().await;
    assert!(report.contains("Belum ada yang ditulis"), "{report}");
    assert!(
        report.contains("Instansi memerlukan jenis instansinya"),
        "{report}"
    );
    b.screenshot("import-report").await;
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from employers")
            .fetch_one(&app.admin)
            .await
            .unwrap(),
        0
    );

    // Commit, skipping the rejected row; the progress bar gives way to the result.
    b.click("input[name=skip_invalid]").await;
    b.click("form[action$='/commit'] button[type=submit]").await;
    wait_for_text_within(&b, "Hasil", 400).await;
    b.screenshot("import-result").await;
    let names: Vec<(String, String)> =
        sqlx::query_as("select npp, city from employers order by npp")
            .fetch_all(&app.admin)
            .await
            .unwrap();
    assert_eq!(
        names,
        vec![
            ("01234567".to_owned(), String::new()),
            ("03456789".to_owned(), String::new())
        ],
        "the NPP that lost its zero, and no city"
    );
    // The history lists it.
    b.click("a[href='/admin/imports']").await;
    wait_for_text(&b, "employers_excel_serial_dates.xlsx").await;
    assert!(b.text().await.contains("Tersimpan"));
    b.quit().await;

    // On a phone the result's problems and the history are cards of labelled lines: nothing scrolls
    // sideways, and each problem's message is in view.
    let id: uuid::Uuid = sqlx::query_scalar("select id from imports")
        .fetch_one(&app.admin)
        .await
        .unwrap();
    let phone = Browser::start(360, 740).await;
    sign_in(&phone, &app.base, "rina@x.example", "/admin").await;
    for (path, needle, page) in [
        (
            format!("/admin/imports/{id}"),
            "Instansi memerlukan jenis instansinya",
            "import-result-phone",
        ),
        (
            "/admin/imports".to_owned(),
            "employers_excel_serial_dates.xlsx",
            "import-history-phone",
        ),
    ] {
        phone.goto(&format!("{}{path}", app.base)).await;
        wait_for_text(&phone, needle).await;
        assert!(phone.fits_width().await, "{page} fits 360 px");
        assert!(phone.cards_fit().await, "{page}: no cell scrolls sideways");
        phone
            .execute("document.querySelector('.card-table').scrollIntoView()")
            .await;
        phone.screenshot(page).await;
    }
    phone.quit().await;
}
