#!/usr/bin/env python3
"""Renders chat test cases with the real chat template through Jinja2, the way Hugging Face transformers'
apply_chat_template (and llama.cpp's Jinja mode) calls it, so the C++ renderers can be compared byte for byte.

usage: render_jinja.py TEMPLATE CASES_JSON  ->  prints {"case name": "rendered prompt", ...} as JSON.
Exits with status 3 when Jinja2 is not installed, so the caller can skip instead of failing.
"""
import datetime
import json
import sys

try:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    print("python3-jinja2 is not installed", file=sys.stderr)
    sys.exit(3)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def strftime_now(format):
    return datetime.datetime.now().strftime(format)


def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def main():
    template_path, cases_path = sys.argv[1], sys.argv[2]
    with open(template_path, encoding="utf-8") as file:
        source = file.read()
    with open(cases_path, encoding="utf-8") as file:
        cases = json.load(file)

    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                                extensions=["jinja2.ext.loopcontrols"])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = strftime_now
    template = environment.from_string(source)

    rendered = {}
    for case in cases:
        rendered[case["name"]] = template.render(
            messages=case["messages"],
            tools=case.get("tools") or None,
            add_generation_prompt=case.get("add_generation_prompt", True),
            enable_thinking=case.get("enable_thinking", False),
            bos_token="<bos>",
            eos_token="<eos>",
        )
    json.dump(rendered, sys.stdout)


if __name__ == "__main__":
    main()
