"""The staff inbox: inbound texts that need a person, oldest first; done with a note and maybe a reply."""
from __future__ import annotations

from flask import jsonify

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import MAX_ID, json_object, optional_text, page_of, paging, required_text
from app.api.presenters import escalation_json, inbox_item_json, iso
from app.inbox.services import finish_item, inbox_items
from app.messaging.policy import SendingPolicy
from app.web import business_tz, db_session, now, settings

MAX_REPLY = 400  # with the signature, a text of at most 7 segments


@api.get("/inbox")
@require_role(*STAFF)
def list_inbox():
    page, per_page = paging()
    rows = inbox_items(db_session(), offset=(page - 1) * per_page, limit=per_page + 1)
    tz, at = business_tz(), now()
    return jsonify(page_of(rows, page, per_page, lambda item: inbox_item_json(item, tz, at)))


@api.post(f"/inbox/<int(max={MAX_ID}):item_id>/done")
@require_role(*STAFF)
def post_inbox_done(item_id: int):
    """`{"note", "reply"?}`: the item leaves the inbox; `reply` is texted to the sender through the outbox."""
    data = json_object()
    note = required_text(data, "note", 2000)
    reply = optional_text(data, "reply", MAX_REPLY)
    session, user, at, tz = db_session(), current_user(), now(), business_tz()
    escalation, message = finish_item(session, item_id, actor=user.name, role=user.role, note=note,
                                      reply=reply.strip() if reply and reply.strip() else None, now=at,
                                      policy=SendingPolicy.from_settings(settings()))
    session.commit()
    body = escalation_json(escalation, tz, at)
    body["reply"] = None if message is None else {"id": message.id, "status": message.status, "body": message.body,
                                                  "send_after": iso(message.send_after, tz)}
    return jsonify(body)
