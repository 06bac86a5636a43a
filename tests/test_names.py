import pytest

from generator.names import (
    case_place,
    is_empty_column,
    person_name,
    split_ticket,
    ticket_full,
    ticket_short,
)


@pytest.mark.parametrize(
    ("raw", "full", "short"),
    [
        ("H. RUDY MAS'UD, S.E., M.E.", "H. Rudy Mas'ud, S.E., M.E.", "Rudy Mas'ud"),
        ("Ir. H. SENO AJI, M. Si.", "Ir. H. Seno Aji, M.Si.", "Seno Aji"),
        ("Dr. Ir. H. ISRAN NOOR, M.Si.", "Dr. Ir. H. Isran Noor, M.Si.", "Isran Noor"),
        ("H. HADI MULYADI, S.Si., M.Si.", "H. Hadi Mulyadi, S.Si., M.Si.", "Hadi Mulyadi"),
        ("AGUSTIAR SABRAN A, S. Ikom.", "Agustiar Sabran A, S.Ikom.", "Agustiar Sabran"),
        ("Dr. H. ZAINAL A PALIWANG, S.H., M.Hum.", "Dr. H. Zainal A Paliwang, S.H., M.Hum.", "Zainal Paliwang"),
        ("Brigjen TNI (Purn.) SULAIMAN, S.Sos., M.H., M.M.", "Brigjen TNI (Purn.) Sulaiman, S.Sos., M.H., M.M.", "Sulaiman"),
        ("Mayjen TNI (Purn.) H. SURATNO, S.I.P., M.I.Pol.", "Mayjen TNI (Purn.) H. Suratno, S.I.P., M.I.Pol.", "Suratno"),
        ("Dr. dr. H. MASAGUS M HAKIM, M.Kes", "Dr. dr. H. Masagus M Hakim, M.Kes", "Masagus Hakim"),
        ("Dr. YANSEN TP, M.Si.", "Dr. Yansen TP, M.Si.", "Yansen TP"),
        ("HABIB ISMAIL BIN YAHYA, M.E.", "Habib Ismail bin Yahya, M.E.", "Habib Ismail bin Yahya"),
        ("H. ABDURRAHMAN ABUBAKAR BAHMID, LC., M.H.", "H. Abdurrahman Abubakar Bahmid, Lc., M.H.", "Abdurrahman Abubakar Bahmid"),
        ("H. SURYA, B.Sc", "H. Surya, B.Sc.", "Surya"),
        ("Prof. Dr. H. M. MAHFUD MD", "Prof. Dr. H. M. Mahfud MD", "Mahfud MD"),
        # Already cased by an editor: kept as typed.
        ("H. Rudy Mas'ud, S.E., M.E.", "H. Rudy Mas'ud, S.E., M.E.", "Rudy Mas'ud"),
    ],
)
def test_person_name(raw, full, short):
    name = person_name(raw)
    assert (name.full, name.short) == (full, short)


def test_ticket_forms():
    head, deputy = split_ticket("H. RUDY MAS'UD, S.E., M.E. - Ir. H. SENO AJI, M. Si.")
    h, d = person_name(head), person_name(deputy)
    assert ticket_full(h.full, d.full) == "H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si."
    assert ticket_short(h.short, d.short) == "Rudy Mas'ud-Seno Aji"


def test_empty_column():
    assert is_empty_column("KOLOM KOSONG - ")
    assert not is_empty_column("H. KOLOMBUS - X")
    assert split_ticket("KOLOM KOSONG - ") == ("KOLOM KOSONG", "")


@pytest.mark.parametrize(
    ("raw", "text"),
    [("KOTA SAMARINDA", "Kota Samarinda"), ("PENAJAM PASER UTARA", "Penajam Paser Utara"), ("DKI JAKARTA", "DKI Jakarta"), ("KEPULAUAN BANGKA BELITUNG", "Kepulauan Bangka Belitung")],
)
def test_case_place(raw, text):
    assert case_place(raw) == text
