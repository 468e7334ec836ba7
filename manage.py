#!/usr/bin/env python
from huiyin.cli import main

if __name__ == "__main__":
    main()
