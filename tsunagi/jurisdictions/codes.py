"""全国地方公共団体コード: the 6-digit code is the 5-digit JIS X 0402 code plus a check digit."""

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(code5: str) -> str:
    """Modulo-11 check digit of a 5-digit code: the last digit of 11 minus the remainder."""
    if len(code5) != 5 or not code5.isdigit():
        raise ValueError(f"not a 5-digit local government code: {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def lg_code(code5: str) -> str:
    return code5 + check_digit(code5)


def is_valid_lg_code(code6: str) -> bool:
    return len(code6) == 6 and code6.isdigit() and check_digit(code6[:5]) == code6[5]


def prefecture_lg_code(prefecture_code: str) -> str:
    return lg_code(f"{int(prefecture_code):02d}000")
