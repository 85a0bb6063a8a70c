//! `/api/docs`: the API reference as one HTML page, rendered on the server from the same
//! OpenAPI document the API serves — no script, nothing fetched from elsewhere, so it works
//! on a network with no internet access and under the default content security policy.

use serde_json::Value;
use std::fmt::Write;
use utoipa::openapi::OpenApi;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline code spans (`like this`) of the document's descriptions.
fn text(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?.as_str()?.rsplit('/').next()
}

/// A schema as a short type: `string`, `Customer`, `array of Reply`, `integer or null`.
fn type_of(v: &Value) -> String {
    if let Some(name) = ref_name(v) {
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = v.get(key).and_then(Value::as_array) {
            return list.iter().map(type_of).collect::<Vec<_>>().join(" or ");
        }
    }
    let base = match v.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    };
    let base = if base.starts_with("array") {
        let items = v.get("items").map(type_of).unwrap_or_else(|| "any".into());
        base.replacen("array", &format!("array of {items}"), 1)
    } else {
        esc(&base)
    };
    match v.get("format").and_then(Value::as_str) {
        Some(f) => format!("{base} <span class=\"muted\">({})</span>", esc(f)),
        None => base,
    }
}

fn properties(out: &mut String, schema: &Value) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        let _ = write!(out, "<p>{}</p>", type_of(schema));
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("<table class=\"data api-fields\"><thead><tr><th scope=\"col\">Member</th><th scope=\"col\">Type</th><th scope=\"col\">About</th></tr></thead><tbody>");
    for (name, p) in props {
        let req = if required.contains(&name.as_str()) {
            " <span class=\"badge\">required</span>"
        } else {
            ""
        };
        let about = p.get("description").and_then(Value::as_str).unwrap_or("");
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><code>{}</code>{req}</th><td data-label=\"Type\">{}</td><td data-label=\"About\">{}</td></tr>",
            esc(name),
            type_of(p),
            text(about)
        );
    }
    out.push_str("</tbody></table>");
}

fn operation(out: &mut String, method: &str, path: &str, op: &Value) {
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or(path)
        .to_string();
    let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
    let _ = write!(
        out,
        "<section class=\"panel api-op\" id=\"op-{}\" aria-labelledby=\"op-{}-h\"><h3 id=\"op-{}-h\"><span class=\"api-method api-{method}\">{}</span> <code>{}</code></h3>",
        esc(&id), esc(&id), esc(&id),
        method.to_uppercase(),
        esc(path)
    );
    if !summary.is_empty() {
        let _ = write!(out, "<p>{}</p>", text(summary));
    }
    if let Some(d) = op.get("description").and_then(Value::as_str) {
        if d != summary {
            let _ = write!(out, "<p>{}</p>", text(d));
        }
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        out.push_str("<h4>Parameters</h4><table class=\"data api-fields\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">In</th><th scope=\"col\">Type</th><th scope=\"col\">About</th></tr></thead><tbody>");
        for p in params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let within = p.get("in").and_then(Value::as_str).unwrap_or("");
            let req = if p.get("required").and_then(Value::as_bool) == Some(true) {
                " <span class=\"badge\">required</span>"
            } else {
                ""
            };
            let schema = p.get("schema").map(type_of).unwrap_or_default();
            let about = p.get("description").and_then(Value::as_str).unwrap_or("");
            let _ = write!(
                out,
                "<tr><th scope=\"row\"><code>{}</code>{req}</th><td data-label=\"In\">{}</td><td data-label=\"Type\">{schema}</td><td data-label=\"About\">{}</td></tr>",
                esc(name),
                esc(within),
                text(about)
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
        let _ = write!(
            out,
            "<h4>Body (<code>application/json</code>)</h4><p>{}</p>",
            type_of(body)
        );
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        out.push_str("<h4>Answers</h4><ul class=\"api-answers\">");
        for (status, r) in responses {
            let about = r.get("description").and_then(Value::as_str).unwrap_or("");
            let schema = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|c| c.get("schema"))
                .map(type_of)
                .unwrap_or_default();
            let about = if about.is_empty() {
                String::new()
            } else {
                format!(" — {}", text(about))
            };
            let _ = write!(
                out,
                "<li><strong>{}</strong> {schema}{about}</li>",
                esc(status)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

/// The whole reference page.
pub fn render(doc: &OpenApi) -> String {
    let v = serde_json::to_value(doc).unwrap_or(Value::Null);
    let title = v
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let about = v
        .pointer("/info/description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut ops: Vec<(String, String, String, Value)> = Vec::new();
    if let Some(paths) = v.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get(method) {
                    let tag = op
                        .pointer("/tags/0")
                        .and_then(Value::as_str)
                        .unwrap_or("other")
                        .to_string();
                    ops.push((tag, path.clone(), method.to_string(), op.clone()));
                }
            }
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} reference · Amends</title><link rel=\"stylesheet\" href=\"/pkg/amends.css\"></head><body><main id=\"main\" class=\"page api-docs\"><p><a href=\"/\">← Amends</a></p><header class=\"page-head\"><h1>{} reference</h1><p class=\"lede\">{}</p><p><a href=\"/api/v1/openapi.json\">OpenAPI document (JSON)</a> · <a href=\"/account\">Your API tokens</a></p></header>",
        esc(title),
        esc(title),
        text(about)
    );
    // The document's own tag order (nouns first, analytics last), then any others.
    let mut tags: Vec<&str> = v
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(|t| t.get("name")?.as_str()).collect())
        .unwrap_or_default();
    for (t, ..) in &ops {
        if !tags.contains(&t.as_str()) {
            tags.push(t);
        }
    }
    tags.retain(|t| ops.iter().any(|o| o.0 == *t));
    out.push_str("<nav class=\"panel api-nav\" aria-label=\"Operations\"><h2>Operations</h2>");
    for tag in &tags {
        let _ = write!(out, "<h3>{}</h3><ul>", esc(tag));
        for (t, path, method, op) in &ops {
            if t == tag {
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(path);
                let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
                let _ = write!(
                    out,
                    "<li><a href=\"#op-{}\"><span class=\"api-method api-{method}\">{}</span> <code>{}</code></a> <span class=\"muted\">{}</span></li>",
                    esc(id),
                    method.to_uppercase(),
                    esc(path),
                    text(summary)
                );
            }
        }
        out.push_str("</ul>");
    }
    out.push_str("</nav>");
    for tag in &tags {
        let _ = write!(out, "<h2>{}</h2>", esc(tag));
        for (t, path, method, op) in &ops {
            if t == tag {
                operation(&mut out, method, path, op);
            }
        }
    }
    out.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = v.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, schema) in schemas {
            let _ = write!(
                out,
                "<section class=\"panel\" id=\"schema-{0}\" aria-labelledby=\"schema-{0}-h\"><h3 id=\"schema-{0}-h\">{0}</h3>",
                esc(name)
            );
            if let Some(d) = schema.get("description").and_then(Value::as_str) {
                let _ = write!(out, "<p>{}</p>", text(d));
            }
            properties(&mut out, schema);
            out.push_str("</section>");
        }
    }
    out.push_str("</main></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_escaped_and_code_spans_kept() {
        assert_eq!(
            text("send `a<b>` & go"),
            "send <code>a&lt;b&gt;</code> &amp; go"
        );
        let v = serde_json::json!({"type": ["integer", "null"], "format": "int64"});
        assert_eq!(
            type_of(&v),
            "integer or null <span class=\"muted\">(int64)</span>"
        );
        let v =
            serde_json::json!({"type": "array", "items": {"$ref": "#/components/schemas/Reply"}});
        assert_eq!(type_of(&v), "array of <a href=\"#schema-Reply\">Reply</a>");
    }
}
