//! "My month" through HTTP: whose month a person may open.

use crate::fixtures::{employer_with_person, log_meeting, team};

#[tokio::test]
async fn supervisors_open_any_rms_month_and_rms_only_their_own() {
    let tm = team().await;
    let (e, p) = employer_with_person(&tm.rm2, "PT Portofolio Agus", "bod").await;
    log_meeting(&tm.rm2, e, &[("attendees", &p.to_string())]).await;
    let r = tm.sup.get(&format!("/my-month?rm={}", tm.rm2_id)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Bulan Agus RM"));
    assert!(r.body.contains("Bertemu 1 dari 1 pemberi kerja aktif"));
    assert_eq!(
        tm.rm1
            .get(&format!("/my-month?rm={}", tm.rm2_id))
            .await
            .status,
        403
    );
}
