//! Rosters: coordinators upload the PR corps as kept in Excel (preview
//! first, then import all or nothing) and export it, with only what each
//! fan agreed to show to the exporting side.

use super::fan_access::{coordinator_side, today_jst};
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, message};
use crate::roster::{self, ReadError};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::roster::COLUMNS;
use kizuna_store::fan_figures::Side;
use kizuna_store::partnerships::Partnership;
use kizuna_store::roster::ImportSummary;

/// Largest roster accepted: 100,000 rows of a typical roster fit in ~12 MB.
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;

#[derive(serde::Deserialize, Default)]
pub struct Done {
    imported: Option<usize>,
    new_fans: Option<usize>,
    updated: Option<usize>,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    c: PageCtx,
    p: Partnership,
    /// Problems to show: (line, column, message); line 0 = the whole file.
    problems: Vec<(usize, String, String)>,
    preview: Option<(ImportSummary, i64)>,
    done: Done,
    government_side: bool,
}

impl RosterPage {
    fn columns(&self) -> Vec<(&'static str, &'static str)> {
        COLUMNS.iter().map(|(c, names)| (*c, names[0])).collect()
    }
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    problems: Vec<(usize, String, String)>,
    preview: Option<(ImportSummary, i64)>,
    done: Done,
) -> Result<String, AppError> {
    let side = coordinator_side(st, ctx, id).await?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    Ok(RosterPage {
        c: PageCtx::new(ctx),
        p,
        problems,
        preview,
        done,
        government_side: side == Side::Government,
    }
    .render()?)
}

/// `GET /partnerships/{id}/roster`
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Html<String>, AppError> {
    Ok(Html(page(&st, &ctx, id, Vec::new(), None, done).await?))
}

fn problems_of(ctx: &Ctx, e: ReadError) -> Vec<(usize, String, String)> {
    let tr = ctx.tr;
    match e {
        ReadError::Encoding => vec![(0, String::new(), message(tr, "roster_encoding"))],
        ReadError::Unreadable => vec![(0, String::new(), message(tr, "roster_unreadable"))],
        ReadError::Empty => vec![(0, String::new(), message(tr, "roster_empty"))],
        ReadError::MissingColumns(cols) => cols
            .into_iter()
            .map(|c| {
                (
                    1,
                    tr.t(&format!("roster-col-{}", c.replace('_', "-"))),
                    message(tr, "roster_missing_column"),
                )
            })
            .collect(),
        ReadError::Rows(rows) => rows
            .into_iter()
            .map(|r| {
                (
                    r.line,
                    tr.t(&format!("roster-col-{}", r.field.replace('_', "-"))),
                    message(tr, r.code),
                )
            })
            .collect(),
    }
}

/// Parses and dry-runs the file; `Ok` carries the summary, `Err` the problems.
async fn check(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    bytes: &[u8],
    dry_run: bool,
) -> Result<Result<ImportSummary, Vec<(usize, String, String)>>, AppError> {
    let rows = match roster::read(bytes) {
        Ok(rows) => rows,
        Err(e) => return Ok(Err(problems_of(ctx, e))),
    };
    match st
        .store
        .import_roster(ctx.viewer.person_id, id, &rows, dry_run)
        .await?
    {
        Ok(summary) => Ok(Ok(summary)),
        Err(rows) => Ok(Err(problems_of(ctx, ReadError::Rows(rows)))),
    }
}

/// `POST /partnerships/{id}/roster` (multipart `file`): keeps the file and shows a preview.
pub async fn upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    coordinator_side(&st, &ctx, id).await?;
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| {
        AppError::Invalid(kizuna_domain::ValidationError::new(
            "file",
            "roster_unreadable",
        ))
    })? {
        if field.name() == Some("file") {
            bytes = field
                .bytes()
                .await
                .map_err(|_| {
                    AppError::Invalid(kizuna_domain::ValidationError::new(
                        "file",
                        "body_too_large",
                    ))
                })?
                .to_vec();
        }
    }
    if bytes.is_empty() {
        let html = page(
            &st,
            &ctx,
            id,
            vec![(0, String::new(), message(ctx.tr, "roster_no_file"))],
            None,
            Done::default(),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    match check(&st, &ctx, id, &bytes, true).await? {
        Ok(summary) => {
            let file = st
                .store
                .save_file(ctx.person_id()?, "application/octet-stream", &bytes)
                .await?;
            Ok(Html(
                page(
                    &st,
                    &ctx,
                    id,
                    Vec::new(),
                    Some((summary, file)),
                    Done::default(),
                )
                .await?,
            )
            .into_response())
        }
        Err(problems) => {
            let html = page(&st, &ctx, id, problems, None, Done::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct Confirm {
    file_id: i64,
}

/// `POST /partnerships/{id}/roster/imports` — imports the previewed file.
pub async fn import(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<Confirm>,
) -> Result<Response, AppError> {
    coordinator_side(&st, &ctx, id).await?;
    let file = st.store.owned_file(f.file_id, ctx.person_id()?).await?;
    match check(&st, &ctx, id, &file.bytes, false).await? {
        Ok(s) => {
            st.store.delete_file(file.id).await?;
            Ok(Redirect::to(&format!(
                "/partnerships/{id}/roster?imported={}&new_fans={}&updated={}",
                s.rows, s.new_fans, s.updated_fans
            ))
            .into_response())
        }
        Err(problems) => {
            let html = page(&st, &ctx, id, problems, None, Done::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

/// `GET /partnerships/{id}/fans.csv`
pub async fn export_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let side = coordinator_side(&st, &ctx, id).await?;
    let rows = st.store.fan_export(id, side).await?;
    let bytes = crate::exports::fans_csv(ctx.tr, &rows, side == Side::Company);
    Ok(crate::exports::download(
        bytes,
        "text/csv; charset=utf-8",
        format!("kizuna-fans-{}.csv", today_jst()),
    ))
}

/// `GET /partnerships/{id}/fans.xlsx`
pub async fn export_xlsx(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let side = coordinator_side(&st, &ctx, id).await?;
    let rows = st.store.fan_export(id, side).await?;
    let bytes = crate::exports::fans_xlsx(ctx.tr, &rows, side == Side::Company)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::exports::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("kizuna-fans-{}.xlsx", today_jst()),
    ))
}
