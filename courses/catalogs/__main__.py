"""``python -m courses.catalogs``: regenerate the bundled SAMPLE feeds from curriculum.py."""

from courses.catalogs import write_sample

if __name__ == "__main__":
    for path in write_sample():
        print(path)
