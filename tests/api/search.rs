//! The search box (`/search`): initials, short names and NPP digits, how many employers there are
//! beyond those shown with a link to all of them, and one-letter corrections for employers and key
//! persons.

use relasi::employers::domain::search_words;
use relasi::employers::repo::list::ListFilter;
use relasi::employers::repo::search::{Found, count};
use relasi::web::i18n::Lang;

use crate::fixtures::{add_person, create, esc, team};

#[tokio::test]
async fn the_search_box_counts_what_it_does_not_show_and_links_to_the_list() {
    let tm = team().await;
    for i in 1..=13 {
        let name = format!("PT Sentosa Cabang {i:02}");
        let npp = format!("5{i:02}00510");
        let (r, _) = create(&tm.sup, &name, &[("npp", npp.as_str())]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let page = tm.rm1.get("/search?q=sentosa").await.body;
    let shown = (1..=13)
        .filter(|i| page.contains(&format!("PT Sentosa Cabang {i:02}<")))
        .count();
    assert_eq!(shown, 10, "ten shown");
    assert!(page.contains("PT Sentosa Cabang 01<"), "in name order");
    assert!(!page.contains("PT Sentosa Cabang 11<"));
    let more = esc(&Lang::Id.tf("search.more_employers", &[("n", "3")]));
    assert!(page.contains(&more), "{page}");
    assert!(page.contains("href=\"/employers?q=sentosa\""));

    // The same for NPP digits (every NPP here contains 0051) and for several words.
    let page = tm.rm1.get("/search?q=0051").await.body;
    assert!(page.contains(&more), "{page}");
    let page = tm.rm1.get("/search?q=cabang+sentosa").await.body;
    assert!(page.contains(&more));
    // Ten or fewer: no count, the plain link.
    let page = tm.rm1.get("/search?q=sentosa+cabang+01").await.body;
    assert!(page.contains("PT Sentosa Cabang 01<"));
    assert!(!page.contains(&more));
    assert!(page.contains(&esc(Lang::Id.t("search.all_employers"))));

    // A count that stops at its cap says so.
    let mut tx = relasi::db::tenant_tx(&tm.app.pool, tm.t, None)
        .await
        .unwrap();
    let filter = ListFilter {
        words: search_words("sentosa"),
        ..ListFilter::default()
    };
    let capped = count(&mut tx, &filter, 5).await.unwrap();
    assert_eq!(
        capped,
        Found {
            n: 5,
            at_least: true
        }
    );
    let exact = count(&mut tx, &filter, 1000).await.unwrap();
    assert_eq!(
        exact,
        Found {
            n: 13,
            at_least: false
        }
    );
}

#[tokio::test]
async fn the_search_box_finds_initials_short_names_and_corrects_one_letter() {
    let tm = team().await;
    let (r, brin) = create(
        &tm.sup,
        "Badan Riset dan Inovasi Nasional",
        &[
            ("segment", "institution"),
            ("institution_type", "agency"),
            ("ownership", "government"),
            ("npp", "10005123"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    create(&tm.sup, "PT Kereta Api Indonesia", &[("short_name", "KAI")]).await;
    add_person(&tm.sup, brin.unwrap(), "Hendra Wijaya", "bod").await;

    let page = tm.rm1.get("/search?q=BRIN").await.body;
    assert!(page.contains("Badan Riset dan Inovasi Nasional"));
    let page = tm.rm1.get("/search?q=kai").await.body;
    assert!(page.contains("PT Kereta Api Indonesia") && page.contains("(KAI)"));
    let page = tm.rm1.get("/search?q=512").await.body;
    assert!(page.contains("Badan Riset dan Inovasi Nasional"));

    // One letter off, in an employer's name and in a key person's.
    let page = tm.rm1.get("/search?q=inovsai").await.body;
    assert!(page.contains("Badan Riset dan Inovasi Nasional"));
    assert!(page.contains(&esc(&Lang::Id.tf(
        "search.corrected",
        &[("typed", "inovsai"), ("shown", "inovasi")]
    ))));
    let page = tm.rm1.get("/search?q=hendar").await.body;
    assert!(page.contains("Hendra Wijaya"), "{page}");
    assert!(page.contains(&esc(&Lang::Id.tf(
        "search.corrected",
        &[("typed", "hendar"), ("shown", "hendra")]
    ))));
    tm.rm1
        .post("/language", &[("lang", "en"), ("next", "/search")])
        .await;
    let page = tm.rm1.get("/search?q=hendar").await.body;
    assert!(page.contains(&esc(&Lang::En.tf(
        "search.corrected",
        &[("typed", "hendar"), ("shown", "hendra")]
    ))));
    // Two letters off is not corrected.
    let page = tm.rm1.get("/search?q=hnedar").await.body;
    assert!(!page.contains("Hendra Wijaya"));
    assert!(page.contains(&esc(&Lang::En.tf("search.nothing", &[("q", "hnedar")]))));
}

/// The search rows are written only by triggers, with no foreign key (0015): a deleted employer or key
/// person (an operator's act; the application archives) takes its rows along, and nobody else's.
#[tokio::test]
async fn a_deleted_employer_or_key_person_takes_its_search_rows_along() {
    let tm = team().await;
    let (r, kept) = create(&tm.sup, "PT Tetap Ada", &[("npp", "71000001")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (r, gone) = create(&tm.sup, "PT Segera Hapus", &[("npp", "71000002")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (kept, gone) = (kept.unwrap(), gone.unwrap());
    let person = add_person(&tm.sup, gone, "Hendra Wijaya", "bod").await;
    add_person(&tm.sup, kept, "Hendra Kusuma", "bod_minus_one").await;
    let rows = async |employer: uuid::Uuid| -> (i64, i64, i64) {
        sqlx::query_as(
            "select (select count(*) from employer_name_tokens where employer_id = $1),
                    (select count(*) from employer_search_keys where employer_id = $1),
                    (select count(*) from key_person_name_tokens t join key_persons k on k.id = t.key_person_id
                      where k.employer_id = $1)",
        )
        .bind(employer)
        .fetch_one(&tm.app.admin)
        .await
        .unwrap()
    };
    let before = rows(kept).await;
    assert!(before.0 > 0 && before.1 > 0 && before.2 > 0, "{before:?}");
    assert!(rows(gone).await.0 > 0);

    let mut tx = tm.app.admin.begin().await.unwrap();
    sqlx::query("delete from key_persons where id = $1")
        .bind(person)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "delete from audit_events where employer_id = $1 or entity_id = $1 or entity_id = $2",
    )
    .bind(gone)
    .bind(person)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("delete from employers where id = $1")
        .bind(gone)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let left: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from employer_name_tokens where employer_id = $1),
                (select count(*) from employer_search_keys where employer_id = $1),
                (select count(*) from key_person_name_tokens where key_person_id = $2)",
    )
    .bind(gone)
    .bind(person)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(left, (0, 0, 0));
    assert_eq!(rows(kept).await, before, "the other employer's rows stay");
}
