//! A small marketplace built through the API, for the journey and the permission tests.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Ids and tokens of everyone in the world.
pub struct World {
    pub admin: String,
    pub ambon: String,
    pub semarang: String,
    pub official_ambon: String,
    pub official_semarang: String,
    pub liaison_nl: String,
    pub liaison_jp: String,
    pub org_a: String,
    pub org_b: String,
    pub org_pending: String,
    pub investor_a: String,
    pub investor_b: String,
    pub investor_pending: String,
    /// Ambon's sealed, published project and its deadline.
    pub project: String,
    pub deadline: DateTime<Utc>,
    /// Ambon's draft project.
    pub draft: String,
}

pub const MASTERPLAN: &str =
    "mutation($c:ID!,$i:MasterplanInput!){setMasterplan(cityId:$c,input:$i){id version}}";
pub const CREATE_PROJECT: &str =
    "mutation($c:ID!,$i:ProjectInput!){createProject(cityId:$c,input:$i){id status}}";
pub const SAVE: &str = "mutation($i:ProposalInput!){saveProposal(input:$i){id status commitment}}";
pub const SUBMIT: &str = "mutation($id:ID!){submitProposal(id:$id){id status commitment}}";

pub fn masterplan() -> Value {
    json!({
        "periodStartYear": 2025, "periodEndYear": 2029, "vision": "Ambon City of Music",
        "priorities": [
            {"dimension": "BRANDING", "weight": 0.5, "focusAreas": ["city of music"]},
            {"dimension": "ENVIRONMENT", "weight": 0.3, "focusAreas": ["flood early warning"]},
            {"dimension": "GOVERNANCE", "weight": 0.2, "focusAreas": []}
        ]
    })
}

pub fn project_input(title: &str, deadline: DateTime<Utc>) -> Value {
    json!({
        "title": title, "summary": "A music hall and school.", "description": "Long description.",
        "ownerAgency": "Dinas Pariwisata", "dimensions": ["BRANDING", "ECONOMY"], "sector": "TOURISM",
        "capex": {"amount": "64000000000", "currency": "IDR"}, "acceptedFinancing": ["PPP", "GRANT"],
        "timelineMonths": 24, "proposalDeadline": deadline.to_rfc3339(), "tags": ["Music"]
    })
}

pub fn proposal_input(project: &str, amount: &str, approach: &str) -> Value {
    json!({
        "projectId": project, "amount": {"amount": amount, "currency": "USD"}, "financingModel": "PPP",
        "timelineMonths": 20, "approach": approach,
        "contributions": [{"dimension": "BRANDING", "strength": 0.8}, {"dimension": "ECONOMY", "strength": 0.2}],
        "localContentPercent": 30.5
    })
}

async fn user(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
    city: Option<&str>,
    embassy: Option<&str>,
) -> String {
    app.ok(
        Some(admin),
        "mutation($e:String!,$r:Role!,$c:ID,$m:ID){createUser(email:$e,name:\"Test\",password:\"password-123\",role:$r,cityId:$c,embassyId:$m){id}}",
        json!({"e": email, "r": role, "c": city, "m": embassy}),
    )
    .await;
    app.login(email, "password-123").await
}

async fn org(app: &TestApp, liaison: &str, name: &str) -> String {
    let d = app
        .ok(
            Some(liaison),
            "mutation($i:InvestorOrganizationInput!){createInvestorOrganization(input:$i){id verification}}",
            json!({"i": {"name": name, "country": "NL", "description": "Water.", "sectors": ["WATER"],
                "dimensions": ["ENVIRONMENT"], "financingModels": ["PPP"],
                "ticketMin": {"amount": "1000000", "currency": "USD"}, "ticketMax": {"amount": "9000000", "currency": "EUR"}}}),
        )
        .await;
    d["createInvestorOrganization"]["id"]
        .as_str()
        .expect("org id")
        .to_owned()
}

/// Invites a person into an organisation and signs them in through the invitation.
pub async fn invite(app: &TestApp, liaison: &str, org: &str, email: &str) -> String {
    let d = app
        .ok(
            Some(liaison),
            "mutation($o:ID!,$e:String!){inviteInvestor(organizationId:$o,email:$e){code}}",
            json!({"o": org, "e": email}),
        )
        .await;
    let code = d["inviteInvestor"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let d = app
        .ok(None, "mutation($c:String!){acceptInvitation(code:$c,name:\"Investor\",password:\"password-123\"){accessToken}}", json!({"c": code}))
        .await;
    d["acceptInvitation"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned()
}

pub fn id(v: &Value) -> String {
    v.as_str().expect("id").to_owned()
}

impl World {
    /// Builds the world; Ambon's project closes for bids `deadline_in` from now.
    pub async fn build(app: &TestApp, deadline_in: Duration) -> World {
        let admin = app.admin_token().await;
        let city = |name: &'static str, province: &'static str, tz: &'static str| {
            let admin = admin.clone();
            async move {
                let d = app
                    .ok(Some(&admin), "mutation($n:String!,$p:String!,$t:String!){createCity(name:$n,province:$p,timeZone:$t){id}}", json!({"n": name, "p": province, "t": tz}))
                    .await;
                id(&d["createCity"]["id"])
            }
        };
        let ambon = city("Ambon", "Maluku", "Asia/Jayapura").await;
        let semarang = city("Semarang", "Jawa Tengah", "Asia/Jakarta").await;
        let embassy = |country: &'static str| {
            let admin = admin.clone();
            async move {
                let d = app
                    .ok(
                        Some(&admin),
                        "mutation($c:String!){createEmbassy(country:$c,name:\"Embassy\"){id}}",
                        json!({"c": country}),
                    )
                    .await;
                id(&d["createEmbassy"]["id"])
            }
        };
        let nl = embassy("NL").await;
        let jp = embassy("JP").await;
        let official_ambon = user(
            app,
            &admin,
            "walikota@ambon.test",
            "CITY_OFFICIAL",
            Some(&ambon),
            None,
        )
        .await;
        let official_semarang = user(
            app,
            &admin,
            "bappeda@semarang.test",
            "CITY_OFFICIAL",
            Some(&semarang),
            None,
        )
        .await;
        let liaison_nl = user(
            app,
            &admin,
            "liaison@nl.test",
            "EMBASSY_LIAISON",
            None,
            Some(&nl),
        )
        .await;
        let liaison_jp = user(
            app,
            &admin,
            "liaison@jp.test",
            "EMBASSY_LIAISON",
            None,
            Some(&jp),
        )
        .await;
        app.ok(
            Some(&official_ambon),
            MASTERPLAN,
            json!({"c": ambon, "i": masterplan()}),
        )
        .await;
        let org_a = org(app, &liaison_nl, "Delta Water").await;
        let org_b = org(app, &liaison_nl, "Polder Invest").await;
        let org_pending = org(app, &liaison_nl, "Pending Partners").await;
        for o in [&org_a, &org_b] {
            app.ok(
                Some(&liaison_nl),
                "mutation($o:ID!){verifyInvestor(organizationId:$o){verification}}",
                json!({"o": o}),
            )
            .await;
        }
        let investor_a = invite(app, &liaison_nl, &org_a, "a@delta.test").await;
        let investor_b = invite(app, &liaison_nl, &org_b, "b@polder.test").await;
        let investor_pending = invite(app, &liaison_nl, &org_pending, "p@pending.test").await;
        let deadline = sinergi_domain::Clock::now(&*app.clock) + deadline_in;
        let d = app
            .ok(
                Some(&official_ambon),
                CREATE_PROJECT,
                json!({"c": ambon, "i": project_input("City of Music hub", deadline)}),
            )
            .await;
        let project = id(&d["createProject"]["id"]);
        app.ok(
            Some(&official_ambon),
            "mutation($id:ID!){publishProject(id:$id){status}}",
            json!({"id": project}),
        )
        .await;
        let d = app
            .ok(Some(&official_ambon), CREATE_PROJECT, json!({"c": ambon, "i": project_input("Secret draft", Utc::now() + Duration::days(30))}))
            .await;
        let draft = id(&d["createProject"]["id"]);
        World {
            admin,
            ambon,
            semarang,
            official_ambon,
            official_semarang,
            liaison_nl,
            liaison_jp,
            org_a,
            org_b,
            org_pending,
            investor_a,
            investor_b,
            investor_pending,
            project,
            deadline,
            draft,
        }
    }

    /// Investor A's submitted proposal to the project.
    pub async fn bid(&self, app: &TestApp, token: &str, amount: &str) -> String {
        let d = app
            .ok(
                Some(token),
                SAVE,
                json!({"i": proposal_input(&self.project, amount, "A city of music for Ambon.")}),
            )
            .await;
        let pid = id(&d["saveProposal"]["id"]);
        app.ok(Some(token), SUBMIT, json!({"id": pid})).await;
        pid
    }

    /// Moves the server's clock past the deadline.
    pub fn pass_deadline(&self, app: &TestApp) {
        app.clock.advance_past(self.deadline);
    }
}
