//! The customer's editable fields, shared by "New customer" and the edit panel.

use crate::components::forms::FieldError;
use crate::domain::customer::CustomerForm;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn CustomerFields(
    initial: CustomerForm,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let msg = move |field: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
    };
    view! {
        <div class="field-row">
            <div>
                <label for="cust-ref">"Ref"</label>
                <input id="cust-ref" name="external_ref" required maxlength="200" value=initial.external_ref
                    placeholder="C-1042" aria-describedby="cust-ref-hint cust-ref-error"/>
                <p class="hint" id="cust-ref-hint">"Their id in your own systems."</p>
                <FieldError message=msg("external_ref") id="cust-ref-error"/>
            </div>
            <div class="grow">
                <label for="cust-name">"Name"</label>
                <input id="cust-name" name="name" maxlength="200" value=initial.name aria-describedby="cust-name-error"/>
                <FieldError message=msg("name") id="cust-name-error"/>
            </div>
        </div>
        <div class="field-row">
            <div class="grow">
                <label for="cust-email">"Email"</label>
                <input id="cust-email" name="email" type="email" value=initial.email aria-describedby="cust-email-error"/>
                <FieldError message=msg("email") id="cust-email-error"/>
            </div>
            <div>
                <label for="cust-plan">"Plan"</label>
                <input id="cust-plan" name="plan" maxlength="60" value=initial.plan placeholder="pro" aria-describedby="cust-plan-error"/>
                <FieldError message=msg("plan") id="cust-plan-error"/>
            </div>
        </div>
        <div class="field-row">
            <div>
                <label for="cust-revenue">"Revenue / month"</label>
                <input id="cust-revenue" name="monthly_revenue" inputmode="decimal" value=initial.monthly_revenue
                    placeholder="49.00" aria-describedby="cust-revenue-error"/>
                <FieldError message=msg("monthly_revenue") id="cust-revenue-error"/>
            </div>
            <div>
                <label for="cust-currency">"Currency"</label>
                <input id="cust-currency" name="currency" maxlength="3" size="4" value=initial.currency aria-describedby="cust-currency-error"/>
                <FieldError message=msg("currency") id="cust-currency-error"/>
            </div>
            <div>
                <label for="cust-since">"Signed up"</label>
                <input id="cust-since" name="signed_up_at" type="date" required value=initial.signed_up_at aria-describedby="cust-since-error"/>
                <FieldError message=msg("signed_up_at") id="cust-since-error"/>
            </div>
        </div>
    }
}
