"""The National Provider Identifier's check digit. Pure: no database.

Source: CMS, "Requirements for National Provider Identifier (NPI) and NPI Enumerator"
(the check digit): an NPI is 10 digits, the last a Luhn check digit (ISO/IEC 7812-1)
computed over the first nine with the prefix 80840, the health-industry issuer
number. The prefix's contribution to the Luhn sum is the constant 24.
"""

NPI_LENGTH = 10
PREFIX_SUM = 24  # the Luhn sum of the prefix 80840, as CMS gives it


def npi_check_digit(first_nine: str) -> str:
    """The check digit of the nine digits ``first_nine``."""
    total = PREFIX_SUM
    for position, digit in enumerate(reversed(first_nine)):
        value = int(digit)
        if position % 2 == 0:  # every other digit from the right is doubled
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return str((10 - total % 10) % 10)


def is_valid_npi(value: str) -> bool:
    """Whether ``value`` is ten digits whose last is the check digit of the rest."""
    return (
        len(value) == NPI_LENGTH
        and value.isascii()
        and value.isdigit()
        and npi_check_digit(value[:-1]) == value[-1]
    )
