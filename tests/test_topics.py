"""The topic catalogue: shipped data, lookups and example events."""

import json
from typing import Any

import pytest

from bchook_studio.core import resources as resources_module
from bchook_studio.core import topics
from bchook_studio.core.resources import resource
from bchook_studio.core.topics import (
    Catalogue,
    CatalogueError,
    Topic,
    UnknownTopicError,
)

BRAINCERT_KEYS = [
    "user.created",
    "group.created",
    "course.created",
    "course_bundle.created",
    "test.created",
    "live_class.created",
    "user.updated",
    "course.updated",
    "course_bundle.updated",
    "test.updated",
    "live_class.updated",
    "product.created",
    "user.deleted",
    "course.deleted",
    "course_bundle.deleted",
    "test.deleted",
    "live_class.deleted",
    "product.deleted",
    "course.enrollment",
    "test.enrollment",
    "live_class.enrollment",
    "course.completed",
    "test.completed",
    "sale.new",
]

UI_GROUPS = [
    "User",
    "Group",
    "Course",
    "Course Bundle",
    "Test",
    "Live Class",
    "Product",
    "Sale",
]

# Groups follow the subject named in the key prefix, not the event's resource.
GROUP_BY_PREFIX = {
    "user": "User",
    "group": "Group",
    "course": "Course",
    "course_bundle": "Course Bundle",
    "test": "Test",
    "live_class": "Live Class",
    "product": "Product",
    "sale": "Sale",
}

CATALOGUE_FIELDS = [
    "key",
    "title",
    "trigger",
    "resource",
    "action",
    "group",
    "notes",
    "example",
]

PLACEHOLDERS = ["[email protected]", "email protected"]


def walk(node: Any) -> Any:
    """Yield every dict, list and scalar inside a JSON value, the value first."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def objects_with_email(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in walk(event) if isinstance(node, dict) and "email" in node]


def expected_address(person: dict[str, Any]) -> str:
    """Build first.last@example.com from the person's names, or first@example.com."""
    if "first_name" in person:
        names = [person["first_name"], person.get("last_name", "")]
    else:
        names = person["name"].split()
    return ".".join(name.lower() for name in names if name) + "@example.com"


def topic_files() -> list[str]:
    folder = resource("topics")
    return sorted(node.name for node in folder.iterdir() if node.is_file())


def make_topic(key: str, title: str, pair: tuple[str, str], group: str) -> Topic:
    return Topic(
        key=key,
        title=title,
        trigger="",
        resource=pair[0],
        action=pair[1],
        group=group,
        notes="",
        example_file=f"{key}.json",
    )


# Shipped catalogue


def test_catalogue_has_24_topics():
    assert len(topics.all_topics()) == 24


def test_catalogue_keys_unique():
    keys = [topic.key for topic in topics.all_topics()]
    assert len(set(keys)) == len(keys)


def test_catalogue_keys_in_braincert_order():
    assert [topic.key for topic in topics.all_topics()] == BRAINCERT_KEYS


def test_catalogue_titles_unique():
    titles = [topic.title.casefold() for topic in topics.all_topics()]
    assert len(set(titles)) == len(titles)


def test_all_topics_cached():
    assert topics.all_topics() is topics.all_topics()


def test_catalogue_file_fields_in_order():
    entries = json.loads(resource("topics", "catalogue.json").read_text("utf-8"))
    for entry in entries:
        assert list(entry) == CATALOGUE_FIELDS, entry.get("key")
        assert all(isinstance(value, str) for value in entry.values()), entry["key"]
        assert entry["example"] == f"{entry['key']}.json"


def test_catalogue_file_formatting():
    text = resource("topics", "catalogue.json").read_text("utf-8")
    entries = json.loads(text)
    assert text == json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def test_topic_folder_has_one_file_per_topic():
    expected = sorted(["catalogue.json", *(f"{key}.json" for key in BRAINCERT_KEYS)])
    assert topic_files() == expected


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("user.created", "User Created"),
        ("course_bundle.updated", "Course Bundle Updated"),
        ("live_class.enrollment", "Live Class Enrollment"),
        ("sale.new", "New Sale"),
    ],
)
def test_titles_as_braincert_shows_them(key, title):
    assert topics.find_topic(key).title == title


@pytest.mark.parametrize(
    ("key", "trigger"),
    [
        ("user.created", "Triggers when a new user account is created."),
        ("live_class.updated", "Triggers when a live class is updated."),
        ("product.created", "Triggers when a new product is created."),
        ("sale.new", "Triggers when a new sale is made."),
    ],
)
def test_trigger_sentences(key, trigger):
    assert topics.find_topic(key).trigger == trigger


def test_every_trigger_is_a_sentence():
    for topic in topics.all_topics():
        assert topic.trigger.startswith("Triggers when "), topic.key
        assert topic.trigger.endswith("."), topic.key


def test_notes_group_created():
    assert topics.find_topic("group.created").notes == "Exclusive to enterprise plans."


def test_notes_live_class_updated():
    notes = topics.find_topic("live_class.updated").notes
    assert "Live Class Created" in notes
    assert '"action": "updated"' in notes


def test_notes_empty_elsewhere():
    noted = {"group.created", "live_class.updated"}
    for topic in topics.all_topics():
        if topic.key not in noted:
            assert topic.notes == "", topic.key


def test_to_dict_fields():
    fields = topics.find_topic("sale.new").to_dict()
    assert list(fields) == CATALOGUE_FIELDS[:-1]
    assert fields["resource"] == "purchase"


# Example events


@pytest.mark.parametrize("key", BRAINCERT_KEYS)
def test_example_parses_to_object(key):
    event = json.loads(resource("topics", f"{key}.json").read_text("utf-8"))
    assert isinstance(event, dict)


@pytest.mark.parametrize("key", BRAINCERT_KEYS)
def test_example_file_formatting(key):
    text = topics.example_text(key)
    event = json.loads(text)
    assert text == json.dumps(event, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("key", BRAINCERT_KEYS)
def test_example_matches_catalogue_pair(key):
    topic = topics.find_topic(key)
    event = topic.example_event()
    assert event["resource"] == topic.resource
    assert event["action"] == topic.action


@pytest.mark.parametrize("key", BRAINCERT_KEYS)
def test_example_has_payload_object(key):
    event = topics.example_event(key)
    assert isinstance(event.get("payload"), dict)
    assert isinstance(event.get("id"), str)


def test_example_key_order_kept():
    event = topics.example_event("user.created")
    assert list(event) == [
        "id",
        "resource",
        "action",
        "domain_id",
        "created_at",
        "payload",
    ]


def test_example_typos_kept():
    payload = topics.example_event("test.created")["payload"]
    assert "tes_card_image_url" in payload
    assert "test_card_image_url" not in payload


def test_example_types_kept():
    user = topics.example_event("user.created")["payload"]
    product = topics.example_event("product.created")["payload"]
    sale = topics.example_event("sale.new")
    assert user["avatar_url"] is None
    assert user["user_id"] == 789012
    assert user["groups"][0]["group_id"] == "101"
    assert product["track_stock"] is True
    assert product["items_in_stock"] == 0
    assert sale["tenant_id"] == "3"
    assert sale["payload"]["total_amount"] == 180


def test_example_event_fresh_copy():
    first = topics.example_event("user.created")
    first["payload"]["groups"].clear()
    second = topics.example_event("user.created")
    assert first is not second
    assert len(second["payload"]["groups"]) == 2


def test_example_event_by_topic_or_name():
    topic = topics.find_topic("course.created")
    assert topics.example_event(topic) == topics.example_event("Course Created")


def test_live_class_updated_mirrors_created():
    created = topics.example_event("live_class.created")
    updated = topics.example_event("live_class.updated")
    assert updated["action"] == "updated"
    assert list(updated) == list(created)
    assert {**updated, "action": created["action"]} == created


# E-mail addresses


def test_no_placeholder_in_topic_files():
    for name in topic_files():
        text = resource("topics", name).read_text("utf-8").casefold()
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, name


def test_every_address_on_example_com():
    for topic in topics.all_topics():
        for node in walk(topic.example_event()):
            if isinstance(node, str) and "@" in node:
                assert node.endswith("@example.com"), (topic.key, node)


def test_addresses_follow_name_rule():
    for topic in topics.all_topics():
        for person in objects_with_email(topic.example_event()):
            assert person["email"] == expected_address(person), topic.key


def test_topics_with_addresses():
    with_email = [
        topic.key
        for topic in topics.all_topics()
        if objects_with_email(topic.example_event())
    ]
    assert with_email == [
        "user.created",
        "user.updated",
        "user.deleted",
        "course.enrollment",
        "test.enrollment",
        "live_class.enrollment",
        "course.completed",
        "test.completed",
        "sale.new",
    ]


@pytest.mark.parametrize(
    ("key", "path", "address"),
    [
        ("user.created", ("payload",), "john.doe@example.com"),
        ("sale.new", ("payload", "user"), "yasin@example.com"),
        ("course.enrollment", ("payload", "user"), "jane.doe@example.com"),
        (
            "live_class.enrollment",
            ("payload", "user"),
            "morgan.practitioner@example.com",
        ),
        ("test.enrollment", ("payload", "user"), "john.public@example.com"),
        ("test.completed", ("payload", "user"), "sam.davis@example.com"),
    ],
)
def test_address_spot_checks(key, path, address):
    node = topics.example_event(key)
    for step in path:
        node = node[step]
    assert node["email"] == address


# Lookup by name


@pytest.mark.parametrize(
    "name",
    [
        "course_bundle.created",
        "Course Bundle Created",
        "COURSE BUNDLE CREATED",
        "course bundle created",
        "Course_Bundle.Created",
        "  course_bundle.created\t",
        "\n Course Bundle Created  ",
    ],
)
def test_find_topic_accepts_key_or_title(name):
    assert topics.find_topic(name).key == "course_bundle.created"


def test_find_topic_every_key_and_title():
    for topic in topics.all_topics():
        assert topics.find_topic(topic.key) is topic
        assert topics.find_topic(topic.title) is topic


@pytest.mark.parametrize("name", ["", "   ", "course", "sale.old", "User  Created"])
def test_find_topic_unknown_raises(name):
    with pytest.raises(UnknownTopicError):
        topics.find_topic(name)


def test_unknown_topic_error_types():
    with pytest.raises(UnknownTopicError) as caught:
        topics.find_topic("no.such.topic")
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.name == "no.such.topic"


def test_unknown_topic_message():
    with pytest.raises(UnknownTopicError) as caught:
        topics.find_topic("no.such.topic")
    message = str(caught.value)
    assert "'no.such.topic'" in message
    assert "bchook-studio topics" in message


def test_unknown_topic_suggests_close_key():
    with pytest.raises(UnknownTopicError) as caught:
        topics.find_topic("Corse Created")
    assert "course.created" in caught.value.suggestions
    assert "'course.created'" in str(caught.value)


def test_unknown_topic_without_suggestion():
    with pytest.raises(UnknownTopicError) as caught:
        topics.find_topic("zzzzzz")
    assert caught.value.suggestions == ()
    assert "Did you mean" not in str(caught.value)


# Groups


def test_groups_in_ui_order():
    assert list(topics.topics_by_group()) == UI_GROUPS


def test_groups_constant_in_ui_order():
    assert list(topics.GROUPS) == UI_GROUPS


def test_every_topic_in_one_group():
    grouped = topics.topics_by_group()
    members = [topic.key for group in grouped.values() for topic in group]
    assert sorted(members) == sorted(BRAINCERT_KEYS)
    assert len(members) == len(set(members))


def test_group_follows_subject():
    for group, members in topics.topics_by_group().items():
        for topic in members:
            assert topic.group == group, topic.key
            assert GROUP_BY_PREFIX[topic.key.split(".")[0]] == group, topic.key


def test_group_keeps_braincert_order():
    live = [topic.key for topic in topics.topics_by_group()["Live Class"]]
    assert live == [
        "live_class.created",
        "live_class.updated",
        "live_class.deleted",
        "live_class.enrollment",
    ]


# Topic for an event


def test_shipped_pairs_not_shared():
    assert topics.default_catalogue().shared_event_pairs == ()


@pytest.mark.parametrize("key", BRAINCERT_KEYS)
def test_topic_for_event_round_trip(key):
    topic = topics.find_topic(key)
    assert topics.topic_for_event(topic.example_event()) is topic


def test_topic_for_event_pair_only():
    event = {"action": "enrollment", "resource": "virtual classroom"}
    assert topics.topic_for_event(event).key == "live_class.enrollment"


def test_topic_for_event_sale_is_purchase():
    event = {"resource": "purchase", "action": "completed"}
    assert topics.topic_for_event(event).key == "sale.new"


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"resource": "user"},
        {"action": "created"},
        {"resource": "user", "action": "created"},
        {"resource": "User", "action": "signup"},
        {"resource": " user", "action": "signup"},
        {"resource": ["user"], "action": "signup"},
        {"resource": "virtual_classroom", "action": "created"},
    ],
)
def test_topic_for_event_no_match(event):
    assert topics.topic_for_event(event) is None


@pytest.mark.parametrize("event", [None, [], "user", 3])
def test_topic_for_event_not_object(event):
    assert topics.topic_for_event(event) is None


# Catalogue built by hand


def test_shared_pair_matches_none():
    catalogue = Catalogue(
        [
            make_topic("a.one", "A One", ("thing", "done"), "User"),
            make_topic("a.two", "A Two", ("thing", "done"), "User"),
            make_topic("a.three", "A Three", ("thing", "other"), "User"),
        ]
    )
    assert catalogue.shared_event_pairs == (("thing", "done"),)
    assert catalogue.for_event({"resource": "thing", "action": "done"}) is None
    assert catalogue.for_event({"resource": "thing", "action": "other"}).key == (
        "a.three"
    )


def test_catalogue_rejects_duplicate_name():
    with pytest.raises(CatalogueError, match=r"'a\.one'"):
        Catalogue(
            [
                make_topic("a.one", "Same", ("x", "1"), "User"),
                make_topic("a.two", "same", ("x", "2"), "User"),
            ]
        )


def test_catalogue_rejects_unknown_group():
    with pytest.raises(CatalogueError, match="'Widgets'"):
        Catalogue([make_topic("a.one", "A One", ("x", "1"), "Widgets")])


def test_catalogue_leaves_out_empty_groups():
    catalogue = Catalogue([make_topic("s.one", "S One", ("x", "1"), "Sale")])
    assert list(catalogue.by_group()) == ["Sale"]


# Loading damaged data


@pytest.fixture
def resources_root(tmp_path, monkeypatch):
    """Point the resources locator at an empty folder for one test."""
    (tmp_path / "topics").mkdir()
    monkeypatch.setattr(resources_module, "resources_root", lambda: tmp_path)
    return tmp_path


def write_catalogue(root, text: str) -> None:
    (root / "topics" / "catalogue.json").write_text(text, encoding="utf-8")


def good_entry() -> dict[str, str]:
    return {
        "key": "user.created",
        "title": "User Created",
        "trigger": "Triggers when a new user account is created.",
        "resource": "user",
        "action": "signup",
        "group": "User",
        "notes": "",
        "example": "user.created.json",
    }


def test_load_from_resources_root(resources_root):
    write_catalogue(resources_root, json.dumps([good_entry()]))
    catalogue = topics.load_catalogue()
    assert [topic.key for topic in catalogue] == ["user.created"]


def test_load_missing_catalogue(resources_root):
    with pytest.raises(CatalogueError, match=r"catalogue\.json"):
        topics.load_catalogue()


def test_load_invalid_json(resources_root):
    write_catalogue(resources_root, "[{")
    with pytest.raises(CatalogueError, match="Reinstall"):
        topics.load_catalogue()


def test_load_not_an_array(resources_root):
    write_catalogue(resources_root, "{}")
    with pytest.raises(CatalogueError, match="not a JSON array"):
        topics.load_catalogue()


def test_load_missing_field(resources_root):
    entry = good_entry()
    del entry["notes"]
    write_catalogue(resources_root, json.dumps([entry]))
    with pytest.raises(CatalogueError, match="entry 0"):
        topics.load_catalogue()


def test_load_field_not_string(resources_root):
    entry = {**good_entry(), "notes": None}
    write_catalogue(resources_root, json.dumps([entry]))
    with pytest.raises(CatalogueError, match="'notes'"):
        topics.load_catalogue()


def test_load_example_path_rejected(resources_root):
    entry = {**good_entry(), "example": "../user.created.json"}
    write_catalogue(resources_root, json.dumps([entry]))
    with pytest.raises(CatalogueError, match="plain file name"):
        topics.load_catalogue()


def test_load_duplicate_title(resources_root):
    second = {**good_entry(), "key": "user.signup"}
    write_catalogue(resources_root, json.dumps([good_entry(), second]))
    with pytest.raises(CatalogueError, match="'User Created'"):
        topics.load_catalogue()
