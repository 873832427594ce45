use nimo_core::api::{ErrorBody, ErrorCode, Health, HealthStatus};
use nimo_tests::spawn_app;

#[tokio::test]
async fn health_answers_ok_with_versions() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/api/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Health = response.json().await.unwrap();
    assert_eq!(body.status, HealthStatus::Ok);
    assert_eq!(body.schema, nimo_core::SCHEMA_VERSION);
}

#[tokio::test]
async fn unknown_api_path_is_a_json_404() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/api/no-such-thing")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::NotFound);
}
