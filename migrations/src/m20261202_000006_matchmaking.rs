//! Match-making events: the event, its participants (cities and investor organisations), the
//! meeting requests between them and the meetings the scheduler (or an organiser) placed.
//! Sessions and a participant's sessions are JSON text; times are instants.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            Table::create()
                .table(n("matchmaking_events"))
                .col(id())
                .col(uuid_col("organizer_id", true))
                .col(string("title", false))
                .col(text("description", false))
                .col(string("mode", false))
                .col(text("venue", true))
                .col(string("time_zone", false))
                .col(text("sessions", false))
                .col(int("slot_minutes", false))
                .col(int("tables_count", false))
                .col(at("registration_deadline", false))
                .col(string("status", false))
                .col(text("cancel_reason", true))
                .col(uuid_col("created_by", false))
                .col(at("created_at", false))
                .col(at("updated_at", false))
                .foreign_key(&mut fk("matchmaking_events", "organizer_id", "embassies"))
                .to_owned(),
            vec![index(
                "matchmaking_events",
                &["status", "created_at"],
                false,
            )],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("event_participants"))
                .col(id())
                .col(uuid_col("event_id", false))
                .col(string("kind", false))
                .col(uuid_col("city_id", true))
                .col(uuid_col("organization_id", true))
                .col(text("available_sessions", false))
                .col(int("max_meetings", false))
                .col(string("time_zone", false))
                .col(string("calendar_token_hash", false))
                .col(at("registered_at", false))
                .col(at("withdrawn_at", true))
                .col(at("updated_at", false))
                .foreign_key(&mut fk(
                    "event_participants",
                    "event_id",
                    "matchmaking_events",
                ))
                .foreign_key(&mut fk("event_participants", "city_id", "cities"))
                .foreign_key(&mut fk(
                    "event_participants",
                    "organization_id",
                    "investor_organizations",
                ))
                .to_owned(),
            vec![
                index("event_participants", &["event_id", "city_id"], true),
                index("event_participants", &["event_id", "organization_id"], true),
                index("event_participants", &["calendar_token_hash"], true),
                index("event_participants", &["organization_id"], false),
                index("event_participants", &["city_id"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("meeting_requests"))
                .col(id())
                .col(uuid_col("event_id", false))
                .col(uuid_col("from_participant_id", false))
                .col(uuid_col("to_participant_id", false))
                .col(uuid_col("project_id", true))
                .col(text("message", false))
                .col(int("priority", false))
                .col(string("status", false))
                .col(at("created_at", false))
                .col(at("responded_at", true))
                .foreign_key(&mut fk(
                    "meeting_requests",
                    "event_id",
                    "matchmaking_events",
                ))
                .foreign_key(&mut fk(
                    "meeting_requests",
                    "from_participant_id",
                    "event_participants",
                ))
                .foreign_key(&mut fk(
                    "meeting_requests",
                    "to_participant_id",
                    "event_participants",
                ))
                .foreign_key(&mut fk("meeting_requests", "project_id", "projects"))
                .to_owned(),
            vec![
                index("meeting_requests", &["event_id", "created_at"], false),
                index("meeting_requests", &["from_participant_id"], false),
                index("meeting_requests", &["to_participant_id"], false),
            ],
        )
        .await?;
        create(
            m,
            Table::create()
                .table(n("meetings"))
                .col(id())
                .col(uuid_col("event_id", false))
                .col(uuid_col("request_id", false))
                .col(uuid_col("city_participant_id", false))
                .col(uuid_col("investor_participant_id", false))
                .col(uuid_col("city_id", false))
                .col(uuid_col("organization_id", false))
                .col(uuid_col("project_id", true))
                .col(at("starts_at", false))
                .col(at("ends_at", false))
                .col(int("table_number", false))
                .col(string("status", false))
                .col(boolean("pinned"))
                .col(double("match_score", false))
                // RFC 5545 SEQUENCE: bumped on every change calendar apps must notice.
                .col(int("sequence", false))
                .col(text("cancel_reason", true))
                .col(string("city_outcome", true))
                .col(text("city_note", true))
                .col(string("investor_outcome", true))
                .col(text("investor_note", true))
                .col(at("created_at", false))
                .col(at("updated_at", false))
                .foreign_key(&mut fk("meetings", "event_id", "matchmaking_events"))
                .foreign_key(&mut fk("meetings", "request_id", "meeting_requests"))
                .to_owned(),
            vec![
                index("meetings", &["request_id"], true),
                index("meetings", &["event_id", "starts_at"], false),
                index("meetings", &["city_id"], false),
                index("meetings", &["organization_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(
            m,
            &[
                "meetings",
                "meeting_requests",
                "event_participants",
                "matchmaking_events",
            ],
        )
        .await
    }
}
