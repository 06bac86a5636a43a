"""Names: KPU capitals to house style (EYD titles and initials), short forms and their check."""

import json
import re

import pytest

from generator.names import (
    CERTIFICATIONS,
    DEGREES,
    case_place,
    is_empty_column,
    person_name,
    short_form_problem,
    split_ticket,
    ticket_full,
    ticket_short,
)

from .conftest import SAMPLES, needs_shared


@pytest.mark.parametrize(
    ("raw", "full", "short"),
    [
        ("H. RUDY MAS'UD, S.E., M.E.", "H. Rudy Mas'ud, S.E., M.E.", "Rudy Mas'ud"),
        ("Ir. H. SENO AJI, M. Si.", "Ir. H. Seno Aji, M.Si.", "Seno Aji"),
        ("Dr. Ir. H. ISRAN NOOR, M.Si.", "Dr. Ir. H. Isran Noor, M.Si.", "Isran Noor"),
        ("H. HADI MULYADI, S.Si., M.Si.", "H. Hadi Mulyadi, S.Si., M.Si.", "Hadi Mulyadi"),
        ("AGUSTIAR SABRAN A, S. Ikom.", "Agustiar Sabran A., S.I.Kom.", "Agustiar Sabran"),
        ("Dr. H. ZAINAL A PALIWANG, S.H., M.Hum.", "Dr. H. Zainal A. Paliwang, S.H., M.Hum.", "Zainal Paliwang"),
        (
            "Brigjen TNI (Purn.) SULAIMAN, S.Sos., M.H., M.M.",
            "Brigjen TNI (Purn.) Sulaiman, S.Sos., M.H., M.M.",
            "Sulaiman",
        ),
        (
            "Mayjen TNI (Purn.) H. SURATNO, S.I.P., M.I.Pol.",
            "Mayjen TNI (Purn.) H. Suratno, S.I.P., M.I.Pol.",
            "Suratno",
        ),
        ("Dr. dr. H. MASAGUS M HAKIM, M.Kes", "Dr. dr. H. Masagus M. Hakim, M.Kes.", "Masagus Hakim"),
        ("Dr. YANSEN TP, M.Si.", "Dr. Yansen TP, M.Si.", "Yansen TP"),
        ("HABIB ISMAIL BIN YAHYA, M.E.", "Habib Ismail bin Yahya, M.E.", "Habib Ismail bin Yahya"),
        (
            "H. ABDURRAHMAN ABUBAKAR BAHMID, LC., M.H.",
            "H. Abdurrahman Abubakar Bahmid, Lc., M.H.",
            "Abdurrahman Abubakar Bahmid",
        ),
        ("H. SURYA, B.Sc", "H. Surya, B.Sc.", "Surya"),
        ("Prof. Dr. H. M. MAHFUD MD", "Prof. Dr. H. M. Mahfud MD", "Mahfud MD"),
        (
            "MUHAMMAD 'ASHIM ADZ-DZORIF FIKRI, S.Ak.",
            "Muhammad 'Ashim Adz-Dzorif Fikri, S.Ak.",
            "Muhammad 'Ashim Adz-Dzorif Fikri",
        ),
        # Already cased by an editor: name words kept as typed, degrees still in house style.
        ("H. Rudy Mas'ud, S.E., M.E.", "H. Rudy Mas'ud, S.E., M.E.", "Rudy Mas'ud"),
        ("dr. H. Muchamad Nur Azis, Sp. PD", "dr. H. Muchamad Nur Azis, Sp.PD.", "Muchamad Nur Azis"),
    ],
)
def test_person_name(raw, full, short):
    name = person_name(raw)
    assert (name.full, name.short) == (full, short)


@pytest.mark.parametrize(
    ("raw", "full"),
    [
        # Degrees: periods, EYD case, ", " between them, glued and spaced ones split.
        ("DR. H. RISNALDI IBRAHIM, S.Ag., M.M., M.H", "Dr. H. Risnaldi Ibrahim, S.Ag., M.M., M.H."),
        ("Dr. JOHANNES VICTOR MAILANGKAY, SH, MH", "Dr. Johannes Victor Mailangkay, S.H., M.H."),
        ("Dr. H. ASNUDDIN SOKONG, ST., SE., MM", "Dr. H. Asnuddin Sokong, S.T., S.E., M.M."),
        ("UMBU LILI PEKUWALI, ST. MT", "Umbu Lili Pekuwali, S.T., M.T."),
        ("H. SAIPULLAH NASUTION, SH. MM", "H. Saipullah Nasution, S.H., M.M."),
        ("Hj. KHOIRANI, S.Pd.M.H", "Hj. Khoirani, S.Pd., M.H."),
        ("RAYMUNDUS BENA, SS.M.Hum", "Raymundus Bena, S.S., M.Hum."),
        ("drg. AHMAD ZARNAWI PASARIBU,MM. M. Si. MH", "drg. Ahmad Zarnawi Pasaribu, M.M., M.Si., M.H."),
        ("Drs. ASEP ISMAIL, M,Si", "Drs. Asep Ismail, M.Si."),
        ("ANDRA SONI, S.M., M.AP", "Andra Soni, S.M., M.A.P."),
        ("HEREMIAS DUPA, S.Ikom., M.Si", "Heremias Dupa, S.I.Kom., M.Si."),
        ("H. RANO KARNO, S.IP.", "H. Rano Karno, S.IP."),  # S.IP. and S.I.P. are both in use: KPU's kept
        ("NURJANA HASAN YUSUF, S.I.P", "Nurjana Hasan Yusuf, S.I.P."),
        ("MOHAMMAD ADITYA PONTOH, SIP", "Mohammad Aditya Pontoh, S.IP."),
        ("I MADE MAHAYASTRA, SST. Par., MAP.", "I Made Mahayastra, S.ST.Par., M.A.P."),
        ("BENNY PARASAN, SH, MA., D.MIN", "Benny Parasan, S.H., M.A., D.Min."),
        ("Drs. HARDI SELAMAT HOOD, M.Si., Ph.D", "Drs. Hardi Selamat Hood, M.Si., Ph.D."),
        ("DR. HC. JOHN TABO, SE., M.BA.", "Dr. (H.C.) John Tabo, S.E., M.B.A."),
        ("MOCH. NOER ALIM QALBY, S.H., LL.M.", "Moch. Noer Alim Qalby, S.H., LL.M."),
        ("ANDI SETO GADHISTA ASAPA, S.H., L.LM.", "Andi Seto Gadhista Asapa, S.H., LL.M."),
        ("Habib Farid Assegaf, S.Th. I", "Habib Farid Assegaf, S.Th.I."),
        # Qualifiers in brackets stay with their degree.
        ("dr. WAHDI, Sp.OG (K), M.H.", "dr. Wahdi, Sp.OG.(K), M.H."),
        ("RADEN CAHYO ADHI NUGROHO, S.E., M.Si.(Han)., M.B.A.", "Raden Cahyo Adhi Nugroho, S.E., M.Si.(Han), M.B.A."),
        ("AFDHAL KHALILULLAH, B.Sc. (Hons)., M.T.", "Afdhal Khalilullah, B.Sc.(Hons), M.T."),
        ("dr. JULIANUS ABOYAMAN UWURATUW, SpB. Subsp.BD (K)", "dr. Julianus Aboyaman Uwuratuw, Sp.B., Subsp.B.D.(K)"),
        # Certifications as their bodies write them; Psikolog is a word.
        ("SAPUAN, SE, MM, Ak, CA, CPA, CFI", "Sapuan, S.E., M.M., Ak., CA, CPA, CFI"),
        ("Ir. HENDY SISWANTO, S.T., IPU., ASEAN Eng", "Ir. Hendy Siswanto, S.T., IPU, ASEAN Eng."),
        ("Dr. H. MUHAMMAD IQBAL, Psikolog", "Dr. H. Muhammad Iqbal, Psikolog"),
        # Titles and ranks before the name.
        ("Dr. (H.C) Ir. TRI RISMAHARINI, M.T.", "Dr. (H.C.) Ir. Tri Rismaharini, M.T."),
        (
            "Komjen Pol. (Purn). DHARMA PONGREKUN, S.I.K., M.M., M.Hum.",
            "Komjen Pol. (Purn.) Dharma Pongrekun, S.I.K., M.M., M.Hum.",
        ),
        (
            "Irjen Pol (Purn) Dr. Drs. H. DIDI HARYONO, S.H., M.H.",
            "Irjen Pol. (Purn.) Dr. Drs. H. Didi Haryono, S.H., M.H.",
        ),
        ("BRIGJEN. POL. (Purn). H. RAJA HARYONO, S.H., M.Hum.", "Brigjen Pol. (Purn.) H. Raja Haryono, S.H., M.Hum."),
        ("Letjen. (Purn.) Dr. SUDIRMAN, S.H., M.H., M.M.", "Letjen (Purn.) Dr. Sudirman, S.H., M.H., M.M."),
        ("Brigjen (P) Hj. GRA. MUSTIKANINGRAT", "Brigjen (Purn.) Hj. G.R.A. Mustikaningrat"),
        ("Kol Ckm (Purn) DRH WAHYU SAPTONO HADI, M.K.M.", "Kol. Ckm (Purn.) drh. Wahyu Saptono Hadi, M.K.M."),
        ("Drs. KH. ACEP ADANG RUHIAT, M.Si.", "Drs. K.H. Acep Adang Ruhiat, M.Si."),
        ("Drg. LILIANE AITONAM", "drg. Liliane Aitonam"),
        ("Drs JUANDI DAVID", "Drs. Juandi David"),
        ("HJ. SAHARA", "Hj. Sahara"),
        ("dr.Hj. MAYA HASMITA, Sp.O.G., M.K.M.", "dr. Hj. Maya Hasmita, Sp.O.G., M.K.M."),
        ("Ir.H.JAYA IBNU SU'UD, ST", "Ir. H. Jaya Ibnu Su'ud, S.T."),
        (
            "TUAN GURU H. LL. G. MUHAMMAD KHAIRUL FATIHIN, S.Kom.I, M.M.",
            "Tuan Guru H. L.L. G. Muhammad Khairul Fatihin, S.Kom.I., M.M.",
        ),
        # dr. (medical) and Dr. (doctorate) stay apart when KPU's case says which.
        (
            "Brigjen Pol (Purn) DR. dr. ANTONIUS GINTING, Sp.OG, M.Kes",
            "Brigjen Pol. (Purn.) Dr. dr. Antonius Ginting, Sp.OG., M.Kes.",
        ),
        # Titles KPU typed among the degrees go before the name.
        ("H. MUTSYUHITO SOLIN, Dr., M.Pd", "Dr. H. Mutsyuhito Solin, M.Pd."),
        ("H. UMAR USMAN,dr", "dr. H. Umar Usman"),
        ("Dr. BERNARD SAGRIM, Drs., M.M.", "Dr. Drs. Bernard Sagrim, M.M."),
        # Degrees KPU typed into the name (a period for the comma).
        ("TOTOK. SH, S.Sos.", "Totok, S.H., S.Sos."),
        ("Hi. THAIB DJALALUDDIN. S.IP.", "Hi. Thaib Djalaluddin, S.IP."),
        ("ZAIMUL UMAM NS.", "Zaimul Umam, Ns."),
        # Initials get their period; initials written together keep theirs.
        (
            "Jenderal TNI (Purn.) H. ANDIKA M PERKASA, S.E., M.A., M.Sc.",
            "Jenderal TNI (Purn.) H. Andika M. Perkasa, S.E., M.A., M.Sc.",
        ),
        ("H. ARWAN M ARAS T, S.Kom", "H. Arwan M. Aras T., S.Kom."),
        ("Dr. H. ANDI SYARIF T.U.W., S.T., M.T.", "Dr. H. Andi Syarif T.U.W., S.T., M.T."),
        ("AUGUSTE C.R SAGRIM, S.T.", "Auguste C.R. Sagrim, S.T."),
        ("Dr. TR. KEUMANGAN, S.H., M.H.", "Dr. T.R. Keumangan, S.H., M.H."),
        ("H. DALIYUS, K, S.Si, MM", "H. Daliyus K., S.Si., M.M."),
        ("MUSLEM.D, S.E", "Muslem D., S.E."),
        ("H. MAWARDI. R, S.IP.", "H. Mawardi R., S.IP."),
        # Abbreviated name words take a period too: Moh., Abd., Dg., br.
        ("Dr. MOH NASIR DJ. DAIMAROTO, S.H., M.H.", "Dr. Moh. Nasir Dj. Daimaroto, S.H., M.H."),
        ("MOH. NUR DG. RAHMATU, S.E.", "Moh. Nur Dg. Rahmatu, S.E."),
        ("TIORITA BR SURBAKTI, S.H", "Tiorita br. Surbakti, S.H."),
        # Balinese "I" is a word, not an initial.
        ("I WAYAN SUYASA, S.H", "I Wayan Suyasa, S.H."),
        # Stray punctuation goes.
        ("ROBINSAR.", "Robinsar"),
        ("IR. H. RAHMAT MASRI BANDASO.,M.Si", "Ir. H. Rahmat Masri Bandaso, M.Si."),
        ("Dr. H. MUH. ARAS,. S.Pd., M.M.", "Dr. H. Muh. Aras, S.Pd., M.M."),
        # Minangkabau adat titles are kept after the name or the degrees.
        ("Ir. H. BENNI WARLIS, M.M., Dt. TAN BATUAH", "Ir. H. Benni Warlis, M.M., Dt. Tan Batuah"),
        ("DENI ASRA, S.Si. DT. RAJO SIMARAJO", "Deni Asra, S.Si., Dt. Rajo Simarajo"),
        ("SAFARUDDIN DT. BANDARO RAJO, S.H.", "Safaruddin Dt. Bandaro Rajo, S.H."),
    ],
)
def test_titles_and_initials_follow_eyd(raw, full):
    assert person_name(raw).full == full


@pytest.mark.parametrize(
    ("raw", "full", "short", "nickname"),
    [
        ("H. RANO KARNO, S.IP. (SI DOEL)", "H. Rano Karno, S.IP.", "Rano Karno", "Si Doel"),
        ("H. RUSDY MASTURA (CUDY)", "H. Rusdy Mastura", "Rusdy Mastura", "Cudy"),
        ("ZAINAL ARIFIN (CHEK ZAINAL), M.Si.", "Zainal Arifin, M.Si.", "Zainal Arifin", "Chek Zainal"),
        (
            "RESKI BASYAH HARAHAP, S.STP., M.Si (Hoji Obon)",
            "Reski Basyah Harahap, S.STP., M.Si.",
            "Reski Basyah Harahap",
            "Hoji Obon",
        ),
        (
            "Dr. H. HENDRAR PRIHADI ALIAS HENDI, S.E., M.M.",
            "Dr. H. Hendrar Prihadi, S.E., M.M.",
            "Hendrar Prihadi",
            "Hendi",
        ),
        ("HENDRAR PRIHADI ALIAS HENDI", "Hendrar Prihadi", "Hendrar Prihadi", "Hendi"),
        (
            "H. A. S. SUKAWIJAYA ALIAS YOYOK SUKAWI, S.E., M.M.",
            "H. A. S. Sukawijaya, S.E., M.M.",
            "Sukawijaya",
            "Yoyok Sukawi",
        ),
        (
            "Dr. H PANGERAN SYARIF ABDURRAHMAN BAHASYIM, M.M. HABIB BANUA",
            "Dr. H. Pangeran Syarif Abdurrahman Bahasyim, M.M.", "Pangeran Syarif Abdurrahman Bahasyim", "Habib Banua",
        ),
        (
            "ZAHRUL AZHAR ASUMTA GUS HANS, S.IP., M. Kes.",
            "Zahrul Azhar Asumta, S.IP., M.Kes.",
            "Zahrul Azhar Asumta",
            "Gus Hans",
        ),
        # "Alias" at either end is a name, not a nickname marker.
        ("H. ALIAS WELLO, S.I.P., M.Tr.I.P.", "H. Alias Wello, S.I.P., M.Tr.I.P.", "Alias Wello", ""),
        ("MASHUR BIN MOHD ALIAS", "Mashur bin Mohd. Alias", "Mashur", ""),
        # "GUS" as a first name stays.
        (
            "H. GUS IRAWAN PASARIBU, S.E.,AK.,M.M.,CA",
            "H. Gus Irawan Pasaribu, S.E., Ak., M.M., CA",
            "Gus Irawan Pasaribu",
            "",
        ),
    ],
)
def test_nicknames_are_left_out_and_kept_apart(raw, full, short, nickname):
    name = person_name(raw)
    assert (name.full, name.short, name.nickname) == (full, short, nickname)


def test_unknown_suffixes_are_left_out_and_reported():
    name = person_name("Dr. H. NASRUN UMAR, HNU")
    assert (name.full, name.unrecognised) == ("Dr. H. Nasrun Umar", ("HNU",))
    # An abbreviation we do not know but KPU wrote with its period is kept as written.
    assert person_name("ANTHONIUS A. MARANI, S.IP., Kp.").full == "Anthonius A. Marani, S.IP., Kp."


@pytest.mark.parametrize(
    ("raw", "short"),
    [
        ("H. AKHMAD PAJRIANNOR, S.E. - TOTOK. SH, S.Sos.", "Akhmad Pajriannor-Totok"),
        ("BASIRAN, S.E., M.M. - H.YULIAN NORWIS, S.E., M.M.", "Basiran-Yulian Norwis"),
        ("DR. HC. JOHN TABO, SE., M.BA. - Dr. ONES PAHABOL, S.E., MM.", "John Tabo-Ones Pahabol"),
        (
            "Jenderal TNI (Purn.) H. ANDIKA M PERKASA, S.E., M.A., M.Sc. - "
            "Dr. H. HENDRAR PRIHADI ALIAS HENDI, S.E., M.M.",
            "Andika Perkasa-Hendrar Prihadi",
        ),
        ("H. MOH. SUHAILI FADIL TOHIR, S.H., M.M. - Ir. H. LM. SJAFEI KAHAR, M.Si", "Suhaili Fadil Tohir-Sjafei Kahar"),
        (
            "Irjen Pol (Purn) Dr. Drs. H. DIDI HARYONO, S.H., M.H. - Ir.H.JAYA IBNU SU'UD, ST",
            "Didi Haryono-Jaya Ibnu Su'ud",
        ),
        ("MUHARRAM IDRIS (SYECH MUHARRAM) - Dr. AFNI.Z, M.Si", "Muharram Idris-Afni"),
        ("Dr. H. ANDI SYARIF T.U.W., S.T., M.T. - Dr. Drs. Y.A.T LUKMAN RIBERU, M.Si.", "Andi Syarif-Lukman Riberu"),
        ("I WAYAN SUYASA, S.H - SAFARUDDIN DT. BANDARO RAJO, S.H.", "Wayan Suyasa-Safaruddin"),
    ],
)
def test_ticket_short_forms(raw, short):
    head, deputy = split_ticket(raw)
    assert ticket_short(person_name(head).short, person_name(deputy).short) == short


@pytest.mark.parametrize(
    ("raw", "wrong"),
    [
        # What the old code printed and must never print again.
        ("H. AKHMAD PAJRIANNOR, S.E. - TOTOK. SH, S.Sos.", "Totok. SH"),
        ("Dr. H. HENDRAR PRIHADI ALIAS HENDI, S.E., M.M.", "Alias"),
        ("DR. HC. JOHN TABO, SE., M.BA.", "HC."),
        ("BASIRAN, S.E., M.M. - H.YULIAN NORWIS, S.E., M.M.", "H.yulian"),
        ("H. RANO KARNO, S.IP. (SI DOEL)", "SI DOEL"),
        ("Dr. H PANGERAN SYARIF ABDURRAHMAN BAHASYIM, M.M. HABIB BANUA", "BANUA"),
        ("Jenderal TNI (Purn.) H. ANDIKA M PERKASA, S.E., M.A., M.Sc.", "Andika M Perkasa"),
        ("Komjen Pol. (Purn). DHARMA PONGREKUN, S.I.K., M.M., M.Hum.", "(Purn)."),
        ("SYAHRIAL, ST., M.Si - ANDIKA PUTRA KENEDI, ST", "ST"),
        ("Drs. H. YUSRI, M.Si - H. RINTO PRAMONO, S.Pi., M.M", "M.Si -"),
        ("Drs. RIJANTO, MM. - BEKY HERDIHANSAH", "MM."),
        ("AGUSTIAR SABRAN A, S. Ikom.", "S.Ikom."),
        ("H. SUKIRMAN, SH - BONG MING MING, S.E.", "SH"),
    ],
)
def test_old_wrong_forms_never_appear(raw, wrong):
    head, deputy = split_ticket(raw)
    names = [person_name(head)] + ([person_name(deputy)] if deputy else [])
    full = ticket_full(*(n.full for n in names)) if deputy else names[0].full
    short = ticket_short(*(n.short for n in names)) if deputy else names[0].short
    assert re.search(rf"(?<![\w.]){re.escape(wrong)}(?![\w])", full) is None, full
    assert wrong not in short, short


def test_ticket_forms():
    head, deputy = split_ticket("H. RUDY MAS'UD, S.E., M.E. - Ir. H. SENO AJI, M. Si.")
    h, d = person_name(head), person_name(deputy)
    assert ticket_full(h.full, d.full) == "H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si."
    assert ticket_short(h.short, d.short) == "Rudy Mas'ud-Seno Aji"


@pytest.mark.parametrize(
    ("short", "problem"),
    [
        ("", "empty"),
        ("Akhmad Pajriannor-Totok. SH", "contains a period"),
        ("HC. John Tabo", "contains a period"),
        ("Basiran-H.yulian Norwis", "contains a period"),
        ("Muharram Idris Muharram)", "contains brackets"),
        ("Rano Karno (Si Doel)", "contains brackets"),
        ("Calon 2", "contains a digit"),
        ("Hendrar Prihadi Alias Hendi", "nickname marker 'Alias'"),
        ("Hendrar Prihadi Als Hendi", "nickname marker 'Als'"),
        ("Sugianto SH", "title or degree 'SH'"),
        ("Pol Didi Haryono", "title or degree 'Pol'"),
        ("Drs Juandi David", "title or degree 'Drs'"),
        ("Armia Ir", "title or degree 'Ir'"),
        ("Andika M Perkasa", "single letter 'M'"),
        ("Rudy MASUD", "word in capitals 'MASUD'"),
        ("-Seno Aji", "stray punctuation"),
        ("Rudy Mas'ud-", "stray punctuation"),
        ("Rudy  Mas'ud", "stray spaces"),
    ],
)
def test_short_form_problem(short, problem):
    assert short_form_problem(short) == problem


@pytest.mark.parametrize(
    "short",
    [
        "Rudy Mas'ud", "Yansen TP", "Mahfud MD", "Putra Mahkota Alam HSB", "Alias Wello", "Mashur bin Mohd Alias",
        "Muhammad 'Ashim Adz-Dzorif Fikri", "Mochamad Hanies Cholil Barro'", "Habib Ismail bin Yahya",
        "Rudy Mas'ud-Seno Aji",
    ],
)
def test_short_form_problem_passes_good_forms(short):
    assert short_form_problem(short) is None


def test_empty_column():
    assert is_empty_column("KOLOM KOSONG - ")
    assert not is_empty_column("H. KOLOMBUS - X")
    assert split_ticket("KOLOM KOSONG - ") == ("KOLOM KOSONG", "")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("KOTA SAMARINDA", "Kota Samarinda"),
        ("PENAJAM PASER UTARA", "Penajam Paser Utara"),
        ("DKI JAKARTA", "DKI Jakarta"),
        ("KEPULAUAN BANGKA BELITUNG", "Kepulauan Bangka Belitung"),
    ],
)
def test_case_place(raw, text):
    assert case_place(raw) == text


# -- every candidate of 2024 ---------------------------------------------------------------------

#: Titles a full name may carry before the name, in house spelling.
FRONT_TITLES = {
    "H.", "Hj.", "Hi.", "Haji", "Dr.", "dr.", "Drs.", "Dra.", "Ir.", "Prof.", "K.H.", "Tgk.", "TGH.", "Tuan Guru",
    "Ust.", "drg.", "drh.", "apt.", "Pdt.", "Pnt.", "Capt.", "Dt.", "(Purn.)", "(H.C.)", "(C)", "TNI", "Pol.",
    "Jenderal", "Letjen", "Mayjen", "Brigjen", "Komjen", "Irjen", "Letkol", "Kol.", "Ckm",
}
#: Degrees KPU typed that are not in our list, kept as typed (with their periods).
KEPT_AS_TYPED = {"AKA.", "B.PD.", "Kp.", "M.MB.", "Z.A."}
#: Short forms newsgen does not print: the race is flagged for an editor override.
#: Each is a name part that is also a title or degree, and KPU's data cannot say which.
FLAGGED_FOR_EDITORS = {
    "Armia Ir": "ARMIA IR: IR is Ir. (insinyur) or initials",
    "Mirwan MS": "H. MIRWAN MS: MS is M.S. (magister sains) or initials",
    "Sibral Malasyi Ma": "Tgk. H. SIBRAL MALASYI MA: MA is M.A. or initials",
}
#: Full names with a word that reads as a title without its period (one of the three above).
FRONT_WORDS_FLAGGED = {"Armia Ir"}


def test_degree_list_is_in_eyd_spelling():
    """Every element of a degree starts with a capital and the degree closes with a period."""
    assert [d for d in DEGREES if not re.fullmatch(r"([A-Z][A-Za-z]*\.)+", d)] == []
    assert len(set(DEGREES)) == len(DEGREES)


def _title_problems(full: str) -> list[str]:
    """Titles, degrees and initials in ``full`` that are not in house spelling."""
    problems = []
    front, _, rest = full.partition(", ")
    for item in rest.split(", ") if rest else []:
        degree = re.sub(r"\((?:K|PD|Hons|Acc|Han)\)$", "", item)
        if not (degree in DEGREES or item in CERTIFICATIONS or item in KEPT_AS_TYPED
                or re.fullmatch(r"(Dt\.|Datuk|Datuak)( [A-Z][a-z]+)+", item)):
            problems.append(item)
    if re.search(r"[a-z] (Alias|Als) [A-Z]", front):  # a nickname marker left in
        problems.append("Alias")
    words = front.replace("Tuan Guru", "Tuan-Guru").split()
    for n, word in enumerate(words):
        if word.replace("Tuan-Guru", "Tuan Guru") in FRONT_TITLES or word in ("bin", "binti", "br."):
            continue
        if re.fullmatch(r"([A-Z]\.)+", word):  # initials
            continue
        if word == "I" and n + 1 < len(words):  # Balinese "I Wayan"
            continue
        if re.fullmatch(r"(Moh|Muh|Mhd|Moch|Mohd|Abd|Dg|Dj|Rd|Pt|Ars)\.", word):
            continue
        title_word = front not in FRONT_WORDS_FLAGGED and word in ("Ir", "Dr", "Drs", "Hj", "Pol", "Purn", "Sh", "Se")
        if "." in word or "(" in word or ")" in word or len(word) == 1 or title_word:
            problems.append(word)
    return problems


def _people():
    for race in ("pkwkp", "pkwkk"):
        for region, entries in json.loads((SAMPLES / f"pilkada2024_paslon_{race}.json").read_bytes()).items():
            for entry in entries.values():
                if not is_empty_column(entry["nama"]):
                    yield from ((f"{race}/{region}", raw) for raw in split_ticket(entry["nama"]) if raw)


@needs_shared
def test_every_candidate_of_2024_in_house_style():
    people = list(_people())
    assert len(people) == 3114  # 1,557 tickets of 545 races
    bad_titles, flagged = [], {}
    for race, raw in people:
        name = person_name(raw)
        if problems := _title_problems(name.full):
            bad_titles.append(f"{race}: {raw!r} -> {name.full!r} {problems}")
        if problem := short_form_problem(name.short):
            flagged[name.short] = f"{race}: {raw!r} -> {name.short!r}: {problem}"
        assert name.full == name.full.strip() and "  " not in name.full and ",," not in name.full
    print(f"\n{len(flagged)} flagged for editors (short form not printed):", *flagged.values(), sep="\n  ")
    assert not bad_titles, "\n".join(bad_titles)
    assert set(flagged) == set(FLAGGED_FOR_EDITORS), "\n".join(flagged.values())
