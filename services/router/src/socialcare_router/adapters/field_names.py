"""Keys from outside (conversation ids, brand handles, intents) as MongoDB field names.

A field name may not contain "." (a path) nor start with "$" (an operator); handles such
as Instagram's may hold dots, so every outside key is escaped before it names a field.
"""


def escape(key: str) -> str:
    return key.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def unescape(name: str) -> str:
    return name.replace("%24", "$").replace("%2E", ".").replace("%25", "%")
