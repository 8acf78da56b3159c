#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    from django.core.management import execute_from_command_line

    from audit.context import set_process_actor

    if len(sys.argv) > 1:  # audit entries written by a command name it as their actor
        set_process_actor(f"command:{sys.argv[1]}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
