//! Who may look at a fan's page: the fan, and the partnership's
//! coordinators — the government side only when the fan agreed to be named.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use kizuna_store::fan_figures::Side;
use kizuna_store::fans::Fan;

pub enum Access {
    Owner,
    Coordinator(Side),
}

/// The fan and how the viewer sees them; `NotFound` when they may not.
pub async fn fan_for(st: &AppState, ctx: &Ctx, fan_id: i64) -> Result<(Fan, Access), AppError> {
    let me = ctx.person_id()?;
    let fan = st.store.fan(fan_id).await?;
    if fan.person_id == me {
        return Ok((fan, Access::Owner));
    }
    if ctx.viewer.can_coordinate(fan.partnership_id) {
        let side = coordinator_side(st, ctx, fan.partnership_id).await?;
        if side == Side::Company || fan.named_to_government == 1 {
            return Ok((fan, Access::Coordinator(side)));
        }
    }
    Err(AppError::NotFound)
}

/// The side a coordinator of `partnership_id` speaks for; `Forbidden` for others.
pub async fn coordinator_side(
    st: &AppState,
    ctx: &Ctx,
    partnership_id: i64,
) -> Result<Side, AppError> {
    ctx.require_user()?;
    if !ctx.viewer.can_coordinate(partnership_id) {
        return Err(AppError::Forbidden);
    }
    Ok(st
        .store
        .side_of(
            ctx.person_id()?,
            ctx.viewer.is_instance_admin,
            partnership_id,
        )
        .await?)
}

/// Today's date in Japan, `YYYY-MM-DD` (entries are dated as people there live them).
pub fn today_jst() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::hours(9);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}
