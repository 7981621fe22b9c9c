//! Supply-chain links through HTTP: both sides, coverage, and no subsidiary loops.

use relasi::web::i18n::Lang;
use uuid::Uuid;

use crate::fixtures::{create, msg, team};

#[tokio::test]
async fn supply_chains_link_both_ways_show_coverage_and_refuse_subsidiary_loops() {
    let tm = team().await;
    let a = create(
        &tm.sup,
        "PT Induk Persero",
        &[("npp", "70000001"), ("ownership", "state_owned")],
    )
    .await
    .1
    .unwrap();
    let b = create(&tm.sup, "PT Anak Satu", &[("npp", "70000002")])
        .await
        .1
        .unwrap();
    let c = create(&tm.sup, "PT Cucu Dua", &[("status", "prospect")])
        .await
        .1
        .unwrap();
    let link = |from: Uuid, side: &'static str, other: Uuid, relation: &'static str| {
        let sup = &tm.sup;
        async move {
            sup.post(
                &format!("/employers/{from}/links"),
                &[
                    ("side", side),
                    ("other_id", &other.to_string()),
                    ("relation", relation),
                    ("started_on", "2025-01-01"),
                ],
            )
            .await
        }
    };
    assert_eq!(link(a, "parent", b, "subsidiary").await.status, 303);
    // From the member's side: C names B as its parent.
    assert_eq!(link(c, "member", b, "subsidiary").await.status, 303);
    let r = link(c, "parent", a, "subsidiary").await;
    assert_eq!(r.status, 422, "A → B → C → A would be a loop");
    assert!(r.body.contains(&msg("link.cycle")));
    assert_eq!(
        link(c, "parent", a, "vendor").await.status,
        303,
        "other relations may run back up"
    );
    assert_eq!(
        link(a, "parent", b, "vendor").await.status,
        422,
        "already linked"
    );

    let page = tm.sup.get(&format!("/employers/{b}")).await;
    assert!(page.body.contains("PT Induk Persero") && page.body.contains("PT Cucu Dua"));
    // B's members: C only, a prospect without NPP: 0 of 1 covered.
    assert!(page.body.contains(&Lang::Id.tf(
        "link.coverage_value",
        &[("covered", "0"), ("members", "1"), ("percent", "0")]
    )));
    let link_id: Uuid = sqlx::query_scalar(
        "select id from supply_chain_links where parent_id = $1 and member_id = $2",
    )
    .bind(b)
    .bind(c)
    .fetch_one(&tm.app.admin)
    .await
    .unwrap();
    assert_eq!(
        tm.sup
            .post(
                &format!("/links/{link_id}/remove"),
                &[("version", "1"), ("from", &c.to_string())]
            )
            .await
            .status,
        303
    );
    let removed: bool =
        sqlx::query_scalar("select removed_at is not null from supply_chain_links where id = $1")
            .bind(link_id)
            .fetch_one(&tm.app.admin)
            .await
            .unwrap();
    assert!(removed, "removed, and kept for the history");
    let history = tm.sup.get(&format!("/employers/{c}")).await.body;
    assert!(
        history.contains(Lang::Id.t("audit.action.link_removed")),
        "the member's history shows it too"
    );
}
