//! A REST API client for the tests that keeps every answer it gets, and the contract check
//! that holds each of them against the OpenAPI document the server serves: the status must
//! be documented for the operation, the content type must be one it lists, and a JSON body
//! must validate against the schema given for it.

use reqwest::{Client, Method};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// One answer the API gave.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// An answer, read.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// Who calls: a token, a signed-in browser (cookie client, which also sends `Origin`), or
/// nobody.
#[derive(Clone)]
pub enum Caller {
    Anonymous,
    Token(String),
    Cookie(Client),
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    plain: Client,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Api {
            base: base.to_string(),
            plain: super::client(),
            seen: Arc::default(),
        }
    }

    /// Send a request; `body` goes as JSON.
    pub async fn send(
        &self,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let mut req = match caller {
            Caller::Cookie(c) => c.request(method.clone(), &url).header("origin", &self.base),
            Caller::Token(t) => self.plain.request(method.clone(), &url).bearer_auth(t),
            Caller::Anonymous => self.plain.request(method.clone(), &url),
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        self.read(method, path, res).await
    }

    /// Send a request built elsewhere (raw bodies, odd headers) and keep its answer.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        req: reqwest::RequestBuilder,
    ) -> Answer {
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        self.read(method, path, res).await
    }

    pub fn client(&self) -> &Client {
        &self.plain
    }

    async fn read(&self, method: Method, path: &str, res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        self.seen.lock().unwrap().push(Seen {
            method,
            path: path.split('?').next().unwrap_or(path).to_string(),
            status,
            content_type,
            body: text.clone(),
        });
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, caller: &Caller, path: &str) -> Answer {
        self.send(caller, Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, caller: &Caller, path: &str, body: Value) -> Answer {
        self.send(caller, Method::POST, path, Some(body), &[]).await
    }

    /// The served OpenAPI document.
    pub async fn document(&self) -> Value {
        self.plain
            .get(format!("{}/api/v1/openapi.json", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Check every answer so far against the served OpenAPI document; panics with all the
    /// answers that do not conform.
    pub async fn check_contract(&self) {
        let doc = self.document().await;
        let seen = self.seen.lock().unwrap().clone();
        assert!(!seen.is_empty(), "no answers to check");
        let failures: Vec<String> = seen
            .iter()
            .filter_map(|s| conforms(&doc, s).err())
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} answers do not conform to the OpenAPI document:\n{}",
            failures.len(),
            seen.len(),
            failures.join("\n")
        );
    }
}

/// The document's path template that `path` instantiates.
fn template<'d>(doc: &'d Value, path: &str) -> Option<&'d str> {
    let segs: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .map(String::as_str)
        .find(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segs.len()
                && ts
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
        })
}

fn conforms(doc: &Value, s: &Seen) -> Result<(), String> {
    let what = format!("{} {} → {}", s.method, s.path, s.status);
    let Some(t) = template(doc, &s.path) else {
        // Only documented routes are checked; the 404 of an unknown route is a problem too.
        return match s.content_type.as_deref() {
            Some(ct) if ct.starts_with("application/problem+json") => Ok(()),
            other => Err(format!("{what}: undocumented path answered {other:?}")),
        };
    };
    let op = &doc["paths"][t][s.method.as_str().to_lowercase()];
    if op.is_null() {
        return Err(format!("{what}: method not documented for {t}"));
    }
    let response = op["responses"]
        .get(s.status.to_string())
        .or_else(|| op["responses"].get("default"))
        .ok_or_else(|| format!("{what}: status not documented for {t}"))?;
    let content = response.get("content").and_then(Value::as_object);
    let Some(content) = content.filter(|c| !c.is_empty()) else {
        return if s.body.is_empty() {
            Ok(())
        } else {
            Err(format!("{what}: a body where the document says none"))
        };
    };
    let ct = s
        .content_type
        .as_deref()
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_string())
        .ok_or_else(|| format!("{what}: no content type"))?;
    let media = content.get(&ct).ok_or_else(|| {
        format!(
            "{what}: content type {ct} not documented (has {:?})",
            content.keys().collect::<Vec<_>>()
        )
    })?;
    if !ct.ends_with("json") {
        return Ok(());
    }
    let instance: Value =
        serde_json::from_str(&s.body).map_err(|e| format!("{what}: body is not JSON: {e}"))?;
    let mut schema = media["schema"].clone();
    if let Value::Object(m) = &mut schema {
        m.insert("components".into(), doc["components"].clone());
    }
    let validator =
        jsonschema::validator_for(&schema).map_err(|e| format!("{what}: bad schema: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .take(3)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {}", errors.join("; ")))
    }
}

/// A token for `user`, made as the account page makes one.
pub async fn token(
    db: &server::store::Db,
    user: i64,
    scope: app::domain::TokenScope,
    name: &str,
) -> String {
    use app::store::Store;
    let secret = app::auth::token::new_secret();
    let draft = app::domain::token::TokenDraft {
        name: name.to_string(),
        scope,
        expires_at: None,
    };
    db.create_token(user, &draft, &secret.hash, &secret.hint, user)
        .await
        .unwrap();
    secret.secret
}

/// A cookie client signed in as `email`.
pub async fn sign_in(base: &str, email: &str) -> Client {
    let client = super::client();
    let res = client
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[
            ("email", email),
            ("password", super::PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/", "sign-in as {email} failed");
    client
}
