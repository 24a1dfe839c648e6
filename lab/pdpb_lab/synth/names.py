"""Indonesian personal names, as the civil registry writes them (upper case).

Pools are plain Python word lists (an underscore joins a two-word entry), roughly ordered from
common to rare; draws use Zipf-like weights so that common names repeat (SITI AMINAH, AGUS
SETIAWAN). A name is built per person from the household's ethnic *style* (chosen by the
province of the regency), the person's sex and generation:

- older generations: single names (SUPARMAN, SUKINAH, ASEP, EUIS), Javanese two-part names;
- younger ones: two or three modern words (DIMAS ADITYA PRATAMA, NAYLA PUTRI RAMADHANI);
- Muhammad / Ahmad / Abdul and Siti / Nur prefixes in Muslim-majority styles;
- family names (Batak, eastern Indonesia, Chinese-Indonesian) carried by the household,
  Batak daughters sometimes as ``BR. SIREGAR``; Balinese I/NI + birth-order names;
- sons sometimes carry the father's name as their second word.

Everything here is vectorised: functions take numpy arrays and return object arrays of str.
"""

from __future__ import annotations

import numpy as np


def _w(text: str) -> np.ndarray:
    words = [w.replace("_", " ") for w in text.split()]
    return np.array(words, dtype=object)


# ---------------------------------------------------------------------------------------------
# Pools
# ---------------------------------------------------------------------------------------------
P: dict[str, np.ndarray] = {}

P["jawa_m_old"] = _w("""
SUPARMAN SLAMET SUGENG SUKIRMAN SUGIYONO SUPRIYADI SUMARNO SUTARNO SUYATNO SUBAGYO PAIMIN PAIJO
PARMAN TUKIMAN WAGIMAN NGADIMIN SUKARNO SUHARTO SUWARNO SUPARDI SUTRISNO SUPRAPTO SUMADI SUKIMIN
KASIMAN KARSO KARYONO MARDI MARJUKI MISNAN MULYONO PONIMAN RAKIMAN SAMIJO SARIMIN SAMSURI SANTOSO
SARDI SARWONO SUKARDI SUDARSONO SUDIRMAN SUGITO SUHADI SUKAMTO SUKIJO SUMARDI SUMANTO SUNARDI
SUNARTO SUPANGAT SUPENO SURADI SURATMAN SURONO SUTEJO SUTOPO SUWANDI SUWITO TARJO TOHARI TUGIMAN
WAGIRAN WAKIDI WALUYO WARDOYO WIDODO WIYONO YATIMAN DARSONO DARMAJI JOKO JUMADI KATIMIN KASMADI
LAMIJAN MARSONO MUJIONO NGATIMIN PAIDI PAINO PARJO PARYONO RASIMAN SAKIMAN SALIMIN SUJONO SUKADI
TUKIRAN TUMIJO WARSITO WASIMAN KASNO KASDI KARJO KATNO LEGIMAN MARJO NGADINO PAIMO PONIRAN
RUSMAN SADIMAN SAIMUN SAMINO SARNO SARPAN SLAMET_RIYADI SOEPARNO SUDARMAN SUDARNO SUGIANTO
SUKARDJO SUKIMAN SUMIRAN SUNARNO SUPARNO SUPARJO SUPRIYONO SURATNO SUROSO SUTARDI SUTIMAN
SUWARDI SUYONO TAMIN TARMUJI TASLIM TUMINO WAGINO WARIDI WARNO WARSONO
""")
P["jawa_m_mid"] = _w("""
AGUS BUDI EKO DWI TRI JOKO BAMBANG HERU HARI HADI WAHYU TEGUH BAYU DIDIK ARIF ARIS ANANG ANDI
ADI ARI DANANG DENY DODIK EDI ENDRO FAJAR GATOT HENDRO IMAM IWAN KUSNO LILIK NANANG PRIYO RUDI
SETYO SIGIT TOTOK TONI WAWAN YUDI YANTO PURWANTO PRAYITNO SUYANTO SUGIANTO HERMAN ANTON DEDI
SAPTO AHMAD ARIEF BENNY DANU DONI EDY ERWIN FERRY GUNAWAN HENDRA INDRA KRISTIANTO MUJI NUR
PURNOMO RIYANTO ROHMAT SUGIARTO SUSILO TAUFIK TRIYONO UNTUNG WIDI YULI ZAENAL ANDRI BAGUS
CAHYO DIDIT EKA FERI GILANG HENDRI IRWAN JUNAEDI KUSWANTO LUKMAN MARSUDI NOVIANTO PUJI RAHMAT
SLAMET SUNARYO TARYONO WIDODO YOGI ARDI BOWO DARYANTO
""")
P["jawa_m_second"] = _w("""
SETIAWAN SANTOSO PRASETYO WIBOWO NUGROHO HARTONO HARYANTO SUSANTO PURNOMO UTOMO SUSILO WIDODO
KURNIAWAN HIDAYAT SUGIARTO PRIYANTO WAHYUDI SETIADI SULISTYO SUPRIYANTO RAHARJO SAPUTRO
PAMUNGKAS WICAKSONO SETYAWAN HANDOKO SUHARTONO SUWARNO RIYANTO PRAMONO WIJAYANTO ARIYANTO
PRABOWO SUSANTO_HADI BUDIMAN SUBROTO SURYONO WAHYONO SUMARSONO SUGIHARTO HARTANTO SUTANTO
PURWANTO SETIYONO RAHMANTO MULYADI SUPRAPTO IRAWAN SAPUTRA FIRMANSYAH HERMAWAN ARIFIN
""")
P["jawa_f_old"] = _w("""
SUMINAH SUKINAH TUKINEM WAGIYEM PAINEM NGATINI SUTINI SRIYATI SUYANTI PARMI SUPARMI SUMARNI
SULASTRI SUNDARI TUMINI WARSINI KASINEM LASMI MARSINAH MUJINAH NGADINAH PAIRAH PARTINAH
PONIYEM SAMINAH SARINEM SITI_ROMLAH SUMIYATI SUPINAH SURATMI SUTARMI TARMI TUMIRAH WAGINEM
WARSIYAH JUMINAH KAMINAH KARSINI KASMINAH LAGIYEM MARIYEM MURTINI NGATEMI PAINAH PARINEM
RUBIYEM SAINEM SAMIRAH SARMI SRI SUGIYEM SUKARSIH SUKIYEM SULASMI SUMIRAH SUPIYAH SUPRAPTI
SURATINAH SUTIYEM SUWARNI TINAH TUKIYEM WAGIRAH WARTINI WASINAH YATMI
""")
P["jawa_f_mid"] = _w("""
SRI ENDANG RETNO DWI TRI EKA DEWI RINI YULI TITIK NINIK LILIK ANIK ENI ERNA ISTI HARTI SITI
ARI NUR ROHMAH SUSI WINARTI YANTI TUTIK KUSNI PUJI SUPRIYATI WIWIK NURUL UMI SUMI SETYA ANI
INDAH LINDA DIAN DIANA FITRI HENI MEGA NOVI RATNA RIA TATIK WATI YENI YUNI ENDAH ERNI ATIK
KARTINI LESTARI MARYATI NANIK PRAPTI SUSANTI SUMIATI UMIYATI WULAN
""")
P["jawa_f_second"] = _w("""
WAHYUNI RAHAYU LESTARI HANDAYANI SUSANTI ASTUTI PURWANTI MULYANI SUSILOWATI NINGSIH WIDAYATI
UTAMI RAHMAWATI KURNIASIH SETYOWATI PURWANINGSIH HARYATI SULISTYOWATI WULANDARI PRATIWI
NURHAYATI SUPRIHATIN SUMARYANI WIDYASTUTI SUNDARI SUPRAPTI RETNOWATI SUSANTININGSIH
KUSUMAWATI WINARSIH HARTATI SAFITRI MARYANI SRI_MULYANI INDRAWATI ARIYANI SETYANINGSIH
WIJAYANTI HIDAYATI ANGGRAENI PUSPITASARI MUNAWAROH ROHMAWATI NURJANAH LISTYANINGSIH
""")
P["sunda_m"] = _w("""
ASEP DADANG UJANG CECEP ENCEP DEDE AEP JAJANG AYI ENGKOS ENTIS OTONG YAYAN DADAN DEDEN ENDANG
KOMAR ADE ACENG OMAN OJO UDIN UCUP AJAT DEDI EMAN ENJANG IWAN KOSASIH MAMAN NANA NANANG OMAY
ROHMAT SUHENDAR TATANG UNANG WAWAN YUYUS AGUS ENDING EPI HERI IDING JUJUN KARNA KUSNADI MAMAT
OOM RUHIYAT SOBARI SODIKIN SUNARYA SUPRIATNA TARYA UNDANG YOYO ABAH ACE ADANG AHMAD_SOBARI
APEP ASEP_SAEPUDIN BUDI DEDE_SUHERMAN DIDIN DODI EDI ELAN ENCANG ENDI ENDIN ENGKUS ERI GUGUN
HENDRA IIP IMAN JAENUDIN JEJEN KOKO KUSMAN MUMUH NONO OPIK PEPEN RAHMAT RIDWAN ROHIM RUDI
SAEPUL SOLEH SUHERMAN TATA TEDI TONI UJA UJE UNTUNG UUS WAHYU YADI YANA YAYA YOGA YUDI
""")
P["sunda_m_second"] = _w("""
SUPRIATNA HIDAYAT SUNARYA SOBANDI SUHERMAN KURNIAWAN SETIAWAN SAEPULLOH SUPRIADI HERMAWAN
RUSTANDI SUTISNA PERMANA NUGRAHA GUNAWAN RAHMAT SOLIHIN ROHMAN SUHENDAR FIRMANSYAH KUSNADI
MULYANA SAPUTRA SURYANA KOSASIH HIDAYATULLAH SOPIAN SAEPUDIN RUSMANA JUANDA SUMARNA
SUDRAJAT SUMPENA SUNANDAR SURYADI SUKMANA WIJAYA KARTAWIJAYA SOMANTRI RUHIMAT RUKMANA
SAPRUDIN NURJAMAN SUDARMAN RUSLAN MAULANA AMBARI JUHANA ROSADI SUTARYA ARDIANSYAH
""")
P["sunda_f"] = _w("""
EUIS IIS NENG ENENG IMAS NENDEN YAYAH DEDEH ENOK POPON NUNUNG YEYEN YUYUN CUCU EPON ETI ELIS
ENTIN ENUR ICIH ITA LILIS NANI NINING NURJANAH OOH TITIN TATI UCU UMI WIWIN YATI YANI EMA
ENDAH ENI EVI ERNI ENTIT ANAH ATIKAH AAH AI ANI CICIH DEDE EEN EHA EMI EMUN ENCUN ENDEH ENIH
EPAH ERNA ETIN IDA IKAH IMAS_MASITOH INEU ITIN IYAH JUJU KOKOM LELA LILIS_SURYANI MIMIN MUMUN
NANIH NENGSIH NIA NONOH NUNUY OKAH OMAH RINA ROSITA SITI TETI TINI TITI UNAH UUN WIDA YOYOH
""")
P["sunda_f_second"] = _w("""
ROHAYATI NURHAYATI SUMIATI KOMALASARI KURNIASIH MULYANI SARTIKA HASANAH ROSMIATI HERAWATI
SUMARNI MARYATI KARTIKA NURAENI AISAH FATIMAH JUBAEDAH HALIMAH ROHIMAH SUKAESIH SURYANI
NURLAELA RATNASARI KUSMIATI HAYATI YULIANTI SOBARIAH JUARSIH RUKMINI ROSITA SETIAWATI
AMELIA SUPRIATIN MARLINA ROSMAWATI NURAINI MULYATI HERLINA RAHMAWATI SAODAH MARYAMAH
""")
P["betawi_m"] = _w("""
ROJALI SAMSUDIN MAMAT UDIN ZAINUDIN NAWI SAMAN JAELANI SARMILI HASAN ALI ABDUL_ROJAK MUHIDIN
SANUSI BAMBANG ENTONG MADRAIS MUNADI NASRUN RAHMAN SAIDI SARMAN SALIHUN SAMSUL SOLEH SUHAIMI
SYARIFUDIN UMAR ZULKIFLI JUNAIDI MUHAMMAD_ALI FAHRUDIN HAERUDIN MUCHTAR NAPIS ROHIMAN
""")
P["betawi_f"] = _w("""
MUNAROH NURHASANAH ZUBAEDAH MARYAM KHODIJAH ROHANAH JAMILAH MASNUN NAIMAH NURJANAH RUKAYAH
SAMIAH SALMAH SITI_ROHAYA SUMIATI UMAYAH ZAENAB ANISAH FAUZIAH HALIMAH MARFUAH MUNAWAROH
NURLELA ROHAYATI SAODAH SITI_MARYAM ZAKIAH HASANAH AMINAH MUTMAINAH
""")
P["madura_m"] = _w("""
MATRAWI SUHRI MARZUKI SAMSUL MISNADI HOSNAN SUNARTO ABD._RAHMAN ABD._HAMID MOH._SALEH
MOH._HASAN SUKARDI FATHOR MUHLIS RASIDI SUBAIRI SUHARDI HOSNOL SUDIN BUHARI HALIMI JUMALI
MUKSIN NAWAWI RAHMAT SAHRAWI SIDIK SUPANDI TOHIR ZAINAL HASIN MISDAR MUSTOFA SYAMSUL ARIFIN
""")
P["madura_f"] = _w("""
MARLIYAH SUNIYAH HOSNIYAH SITI_AISYAH NURHAYATI SUMIYATI SAHRIYAH MUTMAINNAH ASIYAH FATIMAH
HALIMAH HOMSIYAH JUMAIYAH KHOLIFAH MASRUROH NURLAILI RUKAYAH SAMSIYAH SUHARTINI SULIHAH
SUMARNI TOYYIBAH ULFA ZAINAB MUNIROH NURHASANAH
""")
P["islam_m"] = _w("""
AHMAD_FAUZI ABDUL_ROHMAN ALI HASAN HUSEIN IBRAHIM ISMAIL YUSUF YUNUS MUSA HARUN ZAKARIA
SULAIMAN ABDULLAH ABDURRAHMAN HAMZAH UMAR USMAN MAHMUD MANSUR MUSTOFA MUNIR NASRUDIN NURDIN
SAIFUL SYAIFUL SAMSUL SOLEH SALEH TAUFIK HIDAYAT IKHSAN FAISAL FAHMI FARID HUSNI ILYAS JAMIL
KARIM KHOIRUL LUKMAN MALIK RAHMAT RIDWAN ARIFIN ANWAR AZIS FAUZI HANAFI HAMDAN HAFIZ IRFAN
JUNAIDI KHOLIL MAHFUD MUKHLIS MA'RUF MAS'UD NU'MAN SYAFI'I SYA'BAN RO'UF ZAINAL ZAINUDDIN
ZULKARNAIN ZAKI ABDUL_AZIZ ABDUL_GHANI ABDUL_HAKIM ABDUL_KADIR ABDUL_MAJID ABDUL_WAHAB ADNAN
AMIRUDDIN ANSHORI ASNAWI BADRUDIN BURHAN DAHLAN FACHRUDIN FATHONI HABIB HAMBALI HASBULLAH
IMRON IRSYAD JA'FAR KHAIRUDDIN LATIF MAKMUR MASYKUR MUHAIMIN MUHTAR MURSYID MUSLIM NAJIB
NASIR QOMARUDIN RIDHO ROFI'I SHOLEHUDIN SUBHAN SYAMSUDIN THOHIR UBAIDILLAH WAHID YAHYA
ZUHRI
""")
P["islam_f"] = _w("""
SITI_AMINAH FATIMAH AMINAH AISYAH KHADIJAH ZAINAB HALIMAH HAFSAH MARYAM SALMA SYIFA NAILA
NAJWA AULIA AZIZAH KHAIRUNNISA LAILA LATIFAH NURHASANAH NURAINI NURLELA ROHMAH RUKAYAH SAODAH
NI'MAH MU'ALLIFAH ROBI'AH MAS'UDAH NI'MATUL_KHOIRIYAH RUQOYYAH UMMI_KALSUM ZULAIKHA ASMA
FAIZAH HABIBAH HAMIDAH JAMILAH KHOLIFAH LUTFIAH MAIMUNAH MUNAWAROH MUSLIMAH NAFISAH QOMARIAH
RAHMAH SA'DIYAH SHOLIHAH SUMAYYAH UMAMAH WARDAH YULAIHA ZAHROTUL_JANNAH ZULFA ANISA MUTMAINAH
NURUL_HIDAYAH NURUL_AINI NUR_AZIZAH NUR_HALIMAH SITI_FATIMAH SITI_KHODIJAH SITI_MARYAM
""")
P["modern_m"] = _w("""
DIMAS ADITYA RIZKI RIZKY FAJAR ILHAM ARYA RAFI RAFA FARHAN DAFFA RAIHAN ALIF FADHIL FIKRI GALIH
GILANG REZA RANGGA BAYU DANU DIKA YOGA IQBAL HAIKAL AKBAR ALDI ALFIN ANDIKA ARDIANSYAH BAGAS
BIMA DAFA DEVAN DIRGA ERLANGGA FARREL FATHAN HAFIZ KEVIN NAUFAL RADITYA RAFLI RASYA REVAN
RIFKI SATRIA WILDAN YUSRIL ZIDAN ZAKY AZKA ARKAN ATTAR ABIMANYU ALVARO ADRIAN AHMAD_FAUZAN
AL_FATIH ALDO ANGGA ARIL AZRIL BINTANG CAHYA DAVA DENI DWIKY EZA FAHRI FAREL FIRMAN HABIB
HANIF IKHSAN IRFAN JUNA KENZO LUTHFI MIFTAH NABIL NANDA PANDU RAFAEL RAMA RENDI RIDHO RIKO
SAKTI TAUFIQ TEGAR VINO WAHYU YUDA ZAIDAN ARDI AZAM FAQIH HAMIZAN RAYHAN SYAHRIL
""")
P["modern_f"] = _w("""
NAYLA PUTRI AULIA SALSABILA NABILA ZAHRA ANISA ANNISA AMELIA ADINDA ALYA AZZAHRA CITRA DINDA
DEWI FITRI INTAN KAYLA KEISHA NADIA NAURA RARA RATU SABRINA SALWA SHAFA SYIFA TIARA VIRA WULAN
YASMIN ZASKIA ALIFIA AQILA ARSYILA DAVINA FEBY HANA INDAH JIHAN KHANZA LAILA MAHARANI NINDY
NOVITA RIZKA SEKAR SITI TASYA VANESSA AISYAH ALIYA ANGGUN ARINI AYU BELLA CHELSEA DELLA DESTI
DIAH ELSA FARAH FIKA GITA HAURA INAYAH JASMINE KIRANA LATIFA MAYA MELATI NADYA NISA NURUL
OKTAVIA PUTRI_AYU RAHMA RANIA REGINA RISMA SAFITRI SALMA SARAH SHINTA SUCI TIKA VIONA WINDA
YUNI ZAHWA
""")
P["modern_m_last"] = _w("""
PRATAMA SAPUTRA RAMADHAN MAULANA HIDAYAT FIRMANSYAH SETIAWAN NUGRAHA PERMANA KURNIAWAN
SYAHPUTRA ADITYA ARDIANSYAH FAUZAN ALFARIZI AKBAR WIJAYA PUTRA HAKIM FADILLAH RAMADHANI
HERMAWAN SANJAYA PRASETYO SAPUTRO NUGROHO ALFIANSYAH MUBAROK FAHREZI KUSUMA
""")
P["modern_f_last"] = _w("""
PUTRI LESTARI RAMADHANI SAFITRI AZZAHRA NURAINI MAHARANI PRATIWI ANGGRAINI OKTAVIANI
FEBRIANTI RAHMAWATI AULIA WULANDARI KIRANA ANJANI SALSABILA NURHALIZA KHAIRUNNISA AMELIA
PUSPITASARI SEPTIANI NOVIANTI RAHAYU FITRIANI ARDIANTI SEKARWANGI HANDAYANI FEBRIANI
""")
P["minang_m"] = _w("""
ZULKIFLI AFRIZAL AMRIZAL ASRIZAL DASRIL DEFRIZAL EFENDI ERIZAL FIRDAUS HENDRI IRWAN JASMAN
NASRUL NOFRIZAL RIDWAN SYAFRIL SYAHRUL YUSRIZAL ZULFAHMI ZULHAM ADRIZAL ALFIAN ANDRIZAL ARMAN
BUSTAMI DARWIS DEDI_SUSANTO ELFIANDRI ERMAN FADLI GUSRIZAL HAFRIZAL HERMAN IDRIS JONI KASMIR
MARDANUS NAZAR RAHMAT SYAMSUL_BAHRI SYAMSURIZAL TASRIL USMAN YASRIL YUNAS ZAINAL_ABIDIN
""")
P["minang_f"] = _w("""
YULIANTI NOVRIANTI DESWITA ELFI ELMI ERNAWATI FITRIANI HASNAH NURMALA RAHMI ROSMAWATI
SYAMSIDAR WATI YELMI YUSNIDAR ZURAIDA AFRIDA ASNIDAR DARMAWATI DESMAWATI ELIDA ERMAWATI
FATMAWATI GUSNIDAR HAFNI IRAWATI JUSNIMAR LISNAWATI MASNIDAR NURHAYATI RAHMAWATI RITA_ZAHARA
SUARNI SYAFRIDA WIRDANENGSIH YENTI YUSNIAR ZULHIDAYATI
""")
P["melayu_m"] = _w("""
SYAHRIAL ZULKARNAIN SAMSUDIN AZHAR IDRIS ISMAIL RAJA_ALI TENGKU_AHMAD AMRAN AZWAR BAHARUDDIN
DARMANSYAH EFFENDI FAUZAN HAMDANI HASANUDDIN IBRAHIM JAMALUDDIN KAMARUDDIN MAHYUDIN MUKHTAR
NAZARUDDIN RAHMAN RUSLI SAFARUDDIN SYAFRUDDIN SYAMSUL TARMIZI YUSUF ZAINUDDIN ABDUL_MANAF
ALAMSYAH ASRUL BUSRI DAHLAN HERMANSYAH JAMAL MAHMUD MUSLIM NASARUDDIN RIDUAN SUPRIADI TAJUDDIN
""")
P["melayu_f"] = _w("""
NURHAYATI ZUBAIDAH ROSNAH SALMAH HASNAH ZAHARAH MARIANI ROSMINAH SITI_RAHMAH FAUZIAH HALIMAH
JUNAIDAH KHAIRANI LAILATUL_FITRI MASITAH NORMA NURBAYA NURLIANA RABIAH RAHMAWATI ROHANI
ROSLINA SARIAH SUHARTINI SYARIFAH WAHIDAH YUSNITA ZAINAB ZULAIHA RUSMINI
""")
P["batak_m"] = _w("""
JOHANNES MARTIN RICARDO TOGAR PARLINDUNGAN MARULI HOTMAN BONAR SAHAT TUMPAL POLTAK BINSAR DAME
HASUDUNGAN ANDREAS BENNY DAVID EDWARD FRANS HENRY JAMES JONI LAMHOT MANGATUR MARINGAN
MARTUA OLOAN PANGIHUTAN PARULIAN RAJA RIKSON ROBERT SAUT SOLIHIN TIGOR TORANG WILLIAM
ARIFIN_SYAH AHMAD_DAHLAN MUHAMMAD_YUNUS IRWANSYAH MARAHALIM SAHRUDDIN ZULKARNAEN ALI_IMRAN
""")
P["batak_f"] = _w("""
MASTIUR ROSMAULI HOTMA TIOMINAR LAMRIA DUMA RUMONDANG SORTA ROSLINA NURHAYATI MERIANI RISMA
DEWI ELISABETH FRIDA HOTNIDA IDA JUNITA KRISTINA LASMARIA MARIA MELVA NOVA NURMAIDA RATNA
RENTA ROSMERI SARMA SAURMA TETTY TIURMA YANTI MASDALIFAH NURAISYAH RAHMAIDA SALIMAH
""")
P["batak_family"] = _w("""
SIREGAR NASUTION HARAHAP LUBIS SIMANJUNTAK PANJAITAN HUTAGALUNG SITUMORANG SIAHAAN SINAGA
MANURUNG TAMBUNAN PASARIBU SIMATUPANG PANGGABEAN SITOMPUL HUTAPEA NAPITUPULU SIHOMBING SIMAMORA
GULTOM SILALAHI SIBURIAN MARPAUNG TAMPUBOLON DAMANIK PURBA SARAGIH GINTING TARIGAN SEMBIRING
SITEPU PERANGIN-ANGIN KARO-KARO DAULAY RANGKUTI HASIBUAN BATUBARA POHAN MATONDANG SIMBOLON
SITORUS SIANTURI HUTABARAT SIMANULLANG SINURAT SAMOSIR SIRAIT
""")
P["bugis_m"] = _w("""
ARSYAD BAHTIAR SYAMSUDDIN AMIRUDDIN HASANUDDIN JUMADI MUSTAKIM NURDIN RUSLAN SAHARUDDIN SAMSUL
SUDIRMAN SYAHRIR ABDUL_RAHMAN AMIR ANSAR ARIFUDDIN BASO HAMZAH HERMAN IRWAN JAMALUDDIN
KAMARUDDIN MUH._ARIF MUH._YUSUF MUHAMMAD_IDRIS NASRULLAH RAHMAN SAIFUL SUARDI SYAHRUL
SYAMSUL_ALAM TAHIR ZAINUDDIN ILHAM BAHARUDDIN MUHLIS RAMLI SUKRI ASRI
""")
P["bugis_f"] = _w("""
SUKMAWATI HASNAWATI RAHMAWATI NURHAYATI HASMAWATI SITTI MARDIANA MURNIATI NURLIAH ASMAWATI
HASNIA HJ._SAMSIAH JUMIATI MARLINA MASNIAH NURBAYA NURHAEDAH NURLINA NURMALA RAHMATIA
ROSMAWATI SAHARIA SALMAWATI SITTI_AMINAH SITTI_HAJAR SUKARNI SUHARTINI WAHIDA ANDI_NURHAYATI
""")
P["bali_m"] = _w("""
SUARDANA SUARTA ARTAWAN MERTA SUDIARTA WIRAWAN ADNYANA PARWATA SUDARMA ARSANA GUNAWAN SUKADANA
YASA DARMA ASTAWA WIDIANA SUTAMA SUWENA SUARJANA ARIAWAN BUDIARSA DARMAWAN GEDE_ARIANA KARTIKA
MAHENDRA PARTA PURNAMA SANTIKA SUARSANA SUJANA SUKARDANA SUPARTA SUWITRA WARDANA WIRATA
""")
P["bali_f"] = _w("""
SUARNI SUKARNI ARIANI SUARTINI WIDIASTUTI SRIASIH PUSPAWATI MURNI SARI ASTITI ARSINI DARMI
DEWI JULIANTARI KARINI LASMI MADE_SRI MERTASARI PARWATI PUSPITA RASMINI SUANTARI SUDIANI
SUPARNI SUWARNI WARDANI WIDIANI YULIANI ARTINI SUKERTI
""")
P["bali_order_m"] = _w("WAYAN PUTU GEDE MADE KADEK NYOMAN KOMANG KETUT")
P["bali_order_f"] = _w("WAYAN PUTU LUH MADE KADEK NYOMAN KOMANG KETUT")
P["timur_m"] = _w("""
YOHANES YOSEF PETRUS PAULUS STEFANUS FRANSISKUS AGUSTINUS MARKUS LUKAS MATIUS BENEDIKTUS
YULIUS ALOYSIUS ANTONIUS DOMINIKUS ADRIANUS ARNOLDUS BERNADUS DANIEL EMANUEL FERDINAND
GREGORIUS HERMANUS IGNASIUS KORNELIS LAURENSIUS MARTINUS NIKOLAUS OKTAVIANUS PIUS ROBERTUS
SAMUEL SIPRIANUS TOMAS VINSENSIUS YAKOBUS ZAKHEUS ABRAHAM ELIAS JEFRI MIKAEL
""")
P["timur_f"] = _w("""
MARIA MAGDALENA YOHANA THERESIA VERONIKA ELISABETH KRISTINA AGNES MARGARETHA FRANSISKA
ANASTASIA BERNADETA KATARINA SESILIA YULIANA ANGELINA DOROTEA FLORENTINA HELENA IMELDA
KRISTIN LUSIA MARTHA NATALIA PAULINA REGINA ROSALIA SELFINA WILHELMINA YOSEFINA
""")
P["timur_family"] = _w("""
MANAFE LAKE TAKOY ADOE BENU FANGGIDAE NDOEN LEDO BELLO PATTIRAJAWANE LATUPEIRISSA TUHUMURY
SAHETAPY PATTIASINA SUMAMPOUW RUNTUWENE WALANDOUW LUMINTANG PANGEMANAN WENDA KOGOYA WONDA
RUMBIAK PALEBANGAN TANGDILINTIN KOLO NAHAK SERAN TALAN TEFA TAPATAB MANUPUTTY LEIWAKABESSY
WATTIMENA SOPLANTILA KAUNANG MANDAGI RONDONUWU
""")
P["tionghoa_m"] = _w("""
HENDRA HENDRY WILLIAM KEVIN ANDREAS FELIX STEVEN JONATHAN ALBERT SUWANDI BUDI JIMMY JOHAN
HARTONO ROBERT SUGIANTO TEDDY VINCENT YOHANES ANTON DARMAWAN ERIC FRANKY GUNAWAN HANDOKO
""")
P["tionghoa_f"] = _w("""
LILY LINDA MELIANA JESSICA MICHELLE VIVIAN CINDY SUSAN MEILANI LIANA SHERLY VERONIKA WENNY
YENNY ANGELINA CHRISTINE DEWI ELIZABETH FELICIA GRACE IRENE JULIA LISA NATALIA STEPHANIE
""")
P["tionghoa_family"] = _w("""
WIJAYA HALIM GUNAWAN SALIM TANOTO KUSUMA SANTOSO TANJAYA LIMANTO SUSANTO HARTONO TAN LIM
SETIADI WIBISONO HANDOKO SUTANTO TANUWIJAYA GOZALI KURNIAWAN
""")
P["prefix_m"] = _w("MUHAMMAD MUHAMMAD MUHAMMAD AHMAD ABDUL MUHAMMAD NUR")
P["prefix_f"] = _w("SITI SITI SITI NUR SITI NURUL")
P["sasak_prefix_m"] = _w("LALU")
P["sasak_prefix_f"] = _w("BAIQ")
# Pools of the styles only the ``hard`` profile's mix draws (appended: typical never sees them).
P["arab_m"] = _w("""
ALI HASAN HUSEIN UMAR ABUBAKAR AHMAD SALIM SALEH MUHSIN ALWI AGIL IDRUS HAMID MUHAMMAD ZEN
THOHA SAGGAF ABDULLAH HUD JA'FAR MUNIF FUAD TAUFIQ ABDUL_QADIR ABDUL_RAHMAN
""")
P["arab_f"] = _w("""
FATIMAH AISYAH ZAHRA KHADIJAH NUR SALMA MARYAM ALAWIYAH NAILAH RUGAYAH SYIFA ZAINAB HANA
MUNA LAILA SAUDAH
""")
P["arab_family"] = _w("""
ALATAS AL-HABSYI ASSEGAF ALAYDRUS BAFADAL BASWEDAN AL-JUFRI SYIHAB BAHASYIM BAMUKMIN
AL-KAFF BIN_SMITH BAABUD ALBAAR BAWAZIER AL-HADDAD
""")
P["arab_title_m"] = _w("SAYYID SAYYID HABIB SYED")
P["arab_title_f"] = _w("SYARIFAH SYARIFAH SYARIFAH")
P["kasta_m"] = _w("IDA_BAGUS IDA_BAGUS ANAK_AGUNG I_GUSTI I_GUSTI_NGURAH I_DEWA COKORDA I_GUSTI_BAGUS")
P["kasta_f"] = _w("IDA_AYU IDA_AYU ANAK_AGUNG I_GUSTI_AYU GUSTI_AYU DESAK I_DEWA_AYU COKORDA_ISTRI")
P["cina_family"] = _w("TAN LIM OEI LIE GO KWEE THE ONG LAUW TJIA HO SIE KHO LIEM TJOA YAP GAN NG")
P["cina_syllable"] = _w("""
SIAN HWA KIM LIONG HOK TJOE BENG GIOK LAN MEI SWIE HONG TJING KOK HIAN LING NIO SOEI TIONG
HAN BIAN ING GWAN TJIANG KIAT HOEI LAY PING SENG
""")
P["papua_m"] = _w("""
YAN YOSIAS MARTHEN NATALIS OKTOVIANUS YULIANUS DEMIANUS ELIESER MARKUS TITUS NIKO OTNIEL
YEREMIAS ISAK LUKAS SEPNAT DORTEUS HERMAN LEVI BARNABAS
""")
P["papua_f"] = _w("""
MARIA YAKOMINA ORPA SARLOTA ELISABETH NELLY FERONIKA AGUSTINA YOHANA MAGDALENA DORKAS
MARTHA BERTHA ROSALINA SERLINA
""")
P["papua_family"] = _w("""
WENDA KOGOYA WONDA TABUNI YIKWA WANIMBO KAROBA RUMBIAK MAYOR KAMBU WAROMI RUMAKIEK IWANGGIN
MURIB ENUMBI TELENGGEN WAKERKWA MANDOWEN KARUBABA SAWAKI IMBIRI YOMAN
""")
P["maluku_ntt_family"] = _w("""
PATTINAMA LATUHARHARY TUASIKAL SAIMIMA NANLOHY MANUHUTU SALAKORY TANAMAL LEATEMIA PELUPESSY
MANAFE NDOEN TOY SELAN NUBATONIS BANOET NENOBAIS LAIN MESAK NGGADAS MANDAGI WOLAY POLUAN
KALALO RUMENGAN SUMAMPOW LASUT
""")
P["buton_m"] = _w("""
ODE_MUHAMMAD ODE_ALI SIDIN HAMIRUDIN RAHIM BAHARI SAHARI MUSLIMIN ODE_HARIS ALI TAHIR
HASANUDIN SAMIUN JAFAR
""")
P["buton_f"] = _w("""
ODE_NURHAYATI ODE_SITI ASNI HASIA SAIMA NURIANI ODE_WANTI SALMA NURHAIDA RAMLA SITI
""")

# Styles: which pools feed the first word and the second word by generation, how many words.
# ``mix`` entries are (pool, weight); eras: old (born < 1970), mid (1970-1994), young (1995+).
_ISLAMIC_YOUNG_M = [("modern_m", 0.75), ("islam_m", 0.25)]
_ISLAMIC_YOUNG_F = [("modern_f", 0.75), ("islam_f", 0.25)]

STYLES: dict[str, dict] = {
    "sunda": {
        "first_m": {"old": [("sunda_m", .75), ("islam_m", .15), ("jawa_m_old", .1)],
                    "mid": [("sunda_m", .55), ("islam_m", .2), ("jawa_m_mid", .25)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("sunda_f", .8), ("islam_f", .2)],
                    "mid": [("sunda_f", .6), ("islam_f", .2), ("jawa_f_mid", .2)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("sunda_m_second", .8), ("modern_m_last", .2)],
        "second_f": [("sunda_f_second", .8), ("modern_f_last", .2)],
        "parts": {"old": (.70, .30, 0), "mid": (.35, .60, .05), "young": (.08, .62, .30)},
        "prefix": (.10, .12), "father": .06,
    },
    "jawa": {
        "first_m": {"old": [("jawa_m_old", .8), ("islam_m", .1), ("jawa_m_mid", .1)],
                    "mid": [("jawa_m_mid", .7), ("islam_m", .15), ("jawa_m_old", .15)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("jawa_f_old", .8), ("jawa_f_mid", .1), ("islam_f", .1)],
                    "mid": [("jawa_f_mid", .75), ("islam_f", .15), ("jawa_f_old", .1)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("jawa_m_second", .85), ("modern_m_last", .15)],
        "second_f": [("jawa_f_second", .85), ("modern_f_last", .15)],
        "parts": {"old": (.80, .20, 0), "mid": (.30, .65, .05), "young": (.08, .62, .30)},
        "prefix": (.08, .10), "father": .06,
    },
    "betawi": {
        "first_m": {"old": [("betawi_m", .6), ("islam_m", .4)], "mid": [("betawi_m", .4), ("islam_m", .4), ("jawa_m_mid", .2)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("betawi_f", .6), ("islam_f", .4)], "mid": [("betawi_f", .4), ("islam_f", .4), ("jawa_f_mid", .2)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("islam_m", .5), ("modern_m_last", .5)],
        "second_f": [("betawi_f", .5), ("modern_f_last", .5)],
        "parts": {"old": (.65, .35, 0), "mid": (.40, .55, .05), "young": (.08, .62, .30)},
        "prefix": (.15, .15), "father": .10,
    },
    "madura": {
        "first_m": {"old": [("madura_m", .6), ("islam_m", .4)], "mid": [("madura_m", .5), ("islam_m", .5)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("madura_f", .6), ("islam_f", .4)], "mid": [("madura_f", .5), ("islam_f", .5)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("islam_m", .6), ("modern_m_last", .4)],
        "second_f": [("madura_f", .5), ("modern_f_last", .5)],
        "parts": {"old": (.75, .25, 0), "mid": (.45, .5, .05), "young": (.1, .6, .3)},
        "prefix": (.18, .15), "father": .08,
    },
    "melayu": {
        "first_m": {"old": [("melayu_m", .6), ("islam_m", .4)], "mid": [("melayu_m", .5), ("islam_m", .3), ("jawa_m_mid", .2)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("melayu_f", .6), ("islam_f", .4)], "mid": [("melayu_f", .5), ("islam_f", .3), ("jawa_f_mid", .2)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("melayu_m", .5), ("modern_m_last", .5)],
        "second_f": [("melayu_f", .5), ("modern_f_last", .5)],
        "parts": {"old": (.65, .35, 0), "mid": (.40, .55, .05), "young": (.08, .62, .30)},
        "prefix": (.12, .12), "father": .08,
    },
    "minang": {
        "first_m": {"old": [("minang_m", .7), ("islam_m", .3)], "mid": [("minang_m", .7), ("islam_m", .3)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("minang_f", .7), ("islam_f", .3)], "mid": [("minang_f", .7), ("islam_f", .3)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("minang_m", .5), ("modern_m_last", .5)],
        "second_f": [("minang_f", .5), ("modern_f_last", .5)],
        "parts": {"old": (.7, .3, 0), "mid": (.6, .38, .02), "young": (.15, .6, .25)},
        "prefix": (.08, .08), "father": .04,
    },
    "bugis": {
        "first_m": {"old": [("bugis_m", .7), ("islam_m", .3)], "mid": [("bugis_m", .6), ("islam_m", .4)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("bugis_f", .7), ("islam_f", .3)], "mid": [("bugis_f", .6), ("islam_f", .4)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("bugis_m", .5), ("modern_m_last", .5)],
        "second_f": [("bugis_f", .5), ("modern_f_last", .5)],
        "parts": {"old": (.6, .4, 0), "mid": (.45, .5, .05), "young": (.1, .6, .3)},
        "prefix": (.15, .08), "father": .06, "noble": ("ANDI", "ANDI", .06),
    },
    "sasak": {
        "first_m": {"old": [("islam_m", .6), ("melayu_m", .4)], "mid": [("islam_m", .6), ("melayu_m", .4)],
                    "young": _ISLAMIC_YOUNG_M},
        "first_f": {"old": [("islam_f", .6), ("melayu_f", .4)], "mid": [("islam_f", .6), ("melayu_f", .4)],
                    "young": _ISLAMIC_YOUNG_F},
        "second_m": [("islam_m", .5), ("modern_m_last", .5)],
        "second_f": [("islam_f", .5), ("modern_f_last", .5)],
        "parts": {"old": (.7, .3, 0), "mid": (.5, .45, .05), "young": (.1, .6, .3)},
        "prefix": (.12, .12), "father": .08, "noble": ("LALU", "BAIQ", .05),
    },
    "batak": {
        "first_m": {"old": [("batak_m", 1.0)], "mid": [("batak_m", .8), ("modern_m", .2)],
                    "young": [("modern_m", .5), ("batak_m", .5)]},
        "first_f": {"old": [("batak_f", 1.0)], "mid": [("batak_f", .8), ("modern_f", .2)],
                    "young": [("modern_f", .5), ("batak_f", .5)]},
        "second_m": [("batak_m", .6), ("modern_m_last", .4)],
        "second_f": [("batak_f", .6), ("modern_f_last", .4)],
        "parts": {"old": (.9, .1, 0), "mid": (.75, .25, 0), "young": (.5, .5, 0)},
        "prefix": (0, 0), "father": 0, "family": ("batak_family", .95), "boru": .4,
    },
    "timur": {
        "first_m": {"old": [("timur_m", 1.0)], "mid": [("timur_m", .9), ("modern_m", .1)],
                    "young": [("timur_m", .6), ("modern_m", .4)]},
        "first_f": {"old": [("timur_f", 1.0)], "mid": [("timur_f", .9), ("modern_f", .1)],
                    "young": [("timur_f", .6), ("modern_f", .4)]},
        "second_m": [("timur_m", .7), ("modern_m_last", .3)],
        "second_f": [("timur_f", .7), ("modern_f_last", .3)],
        "parts": {"old": (.6, .4, 0), "mid": (.5, .5, 0), "young": (.4, .6, 0)},
        "prefix": (0, 0), "father": 0, "family": ("timur_family", .85),
    },
    "tionghoa": {
        "first_m": {"old": [("tionghoa_m", 1.0)], "mid": [("tionghoa_m", 1.0)], "young": [("tionghoa_m", .5), ("modern_m", .5)]},
        "first_f": {"old": [("tionghoa_f", 1.0)], "mid": [("tionghoa_f", 1.0)], "young": [("tionghoa_f", .5), ("modern_f", .5)]},
        "second_m": [("tionghoa_m", 1.0)],
        "second_f": [("tionghoa_f", 1.0)],
        "parts": {"old": (1, 0, 0), "mid": (.9, .1, 0), "young": (.7, .3, 0)},
        "prefix": (0, 0), "father": 0, "family": ("tionghoa_family", .9),
    },
    "bali": {
        "first_m": {"old": [("bali_m", 1.0)], "mid": [("bali_m", 1.0)], "young": [("bali_m", .8), ("modern_m", .2)]},
        "first_f": {"old": [("bali_f", 1.0)], "mid": [("bali_f", 1.0)], "young": [("bali_f", .8), ("modern_f", .2)]},
        "second_m": [("bali_m", 1.0)],
        "second_f": [("bali_f", 1.0)],
        "parts": {"old": (.85, .15, 0), "mid": (.7, .3, 0), "young": (.6, .4, 0)},
        "prefix": (0, 0), "father": 0, "bali": True,
    },
}
# Styles of the ``hard`` profile's diverse regency (never in PROVINCE_MIX: typical never draws
# them). Arabic names with bin/binti and Sayyid/Syarifah; Balinese caste titles on the name;
# Chinese-style three-part names (TAN SIAN HWA); Papuan and Maluku/NTT clan names; Buton La/Wa;
# Acehnese (Teuku/Cut are written on the name by some, kept as titles in ``faults``).
STYLES.update({
    "bali_kasta": {**STYLES["bali"], "kasta": True},
    "arab": {
        "first_m": {e: [("arab_m", .7), ("islam_m", .3)] for e in ("old", "mid", "young")},
        "first_f": {e: [("arab_f", .7), ("islam_f", .3)] for e in ("old", "mid", "young")},
        "second_m": [("arab_m", 1.0)], "second_f": [("arab_f", 1.0)],
        "parts": {"old": (.8, .2, 0), "mid": (.7, .3, 0), "young": (.5, .5, 0)},
        "prefix": (0, 0), "father": 0, "family": ("arab_family", .6), "bin": .45, "sayyid": .15,
    },
    "tionghoa_lama": {**STYLES["tionghoa"], "family": None, "chinese3": .8},
    "papua": {
        "first_m": {e: [("papua_m", .7), ("timur_m", .3)] for e in ("old", "mid", "young")},
        "first_f": {e: [("papua_f", .7), ("timur_f", .3)] for e in ("old", "mid", "young")},
        "second_m": [("papua_m", 1.0)], "second_f": [("papua_f", 1.0)],
        "parts": {"old": (.8, .2, 0), "mid": (.7, .3, 0), "young": (.6, .4, 0)},
        "prefix": (0, 0), "father": 0, "family": ("papua_family", .9),
    },
    "maluku_ntt": {**STYLES["timur"], "family": ("maluku_ntt_family", .9)},
    "buton": {
        "first_m": {e: [("buton_m", .7), ("islam_m", .3)] for e in ("old", "mid", "young")},
        "first_f": {e: [("buton_f", .7), ("islam_f", .3)] for e in ("old", "mid", "young")},
        "second_m": [("islam_m", .6), ("modern_m_last", .4)],
        "second_f": [("islam_f", .6), ("modern_f_last", .4)],
        "parts": {"old": (.8, .2, 0), "mid": (.6, .4, 0), "young": (.3, .6, .1)},
        "prefix": (0, 0), "father": 0, "noble": ("LA", "WA", .85),
    },
    "aceh": {**STYLES["melayu"], "noble": ("TEUKU", "CUT", .08)},
})
STYLE_NAMES: tuple[str, ...] = tuple(STYLES)

# Ethnic mix by province (Kemendagri province code).
_JAVA_EAST = {"jawa": .78, "madura": .18, "tionghoa": .02, "sunda": .02}
PROVINCE_MIX: dict[str, dict[str, float]] = {
    "11": {"melayu": .9, "jawa": .08, "batak": .02},
    "12": {"batak": .45, "jawa": .3, "melayu": .15, "tionghoa": .05, "timur": .05},
    "13": {"minang": .88, "jawa": .05, "batak": .05, "melayu": .02},
    "14": {"melayu": .4, "jawa": .25, "minang": .15, "batak": .15, "tionghoa": .05},
    "15": {"melayu": .5, "jawa": .3, "minang": .1, "batak": .05, "sunda": .05},
    "16": {"melayu": .65, "jawa": .3, "sunda": .05},
    "17": {"melayu": .6, "jawa": .25, "minang": .1, "sunda": .05},
    "18": {"jawa": .6, "melayu": .2, "sunda": .15, "bali": .05},
    "19": {"melayu": .6, "tionghoa": .3, "jawa": .1},
    "21": {"melayu": .4, "jawa": .25, "tionghoa": .15, "batak": .1, "minang": .1},
    "31": {"jawa": .35, "betawi": .25, "sunda": .15, "tionghoa": .07, "batak": .05, "minang": .05,
           "bugis": .03, "timur": .05},
    "32": {"sunda": .78, "jawa": .12, "betawi": .07, "tionghoa": .02, "batak": .01},
    "33": {"jawa": .97, "tionghoa": .02, "sunda": .01},
    "34": {"jawa": .97, "tionghoa": .02, "timur": .01},
    "35": _JAVA_EAST,
    "36": {"sunda": .55, "jawa": .25, "betawi": .15, "tionghoa": .05},
    "51": {"bali": .88, "jawa": .1, "timur": .02},
    "52": {"sasak": .7, "melayu": .25, "bali": .05},
    "53": {"timur": .9, "melayu": .1},
    "61": {"melayu": .45, "jawa": .25, "timur": .2, "bugis": .05, "tionghoa": .05},
    "62": {"melayu": .45, "jawa": .25, "timur": .25, "bugis": .05},
    "63": {"melayu": .7, "jawa": .2, "bugis": .05, "timur": .05},
    "64": {"jawa": .3, "bugis": .3, "melayu": .25, "timur": .15},
    "65": {"bugis": .35, "melayu": .3, "timur": .25, "jawa": .1},
    "71": {"timur": .7, "melayu": .2, "bugis": .1},
    "72": {"bugis": .4, "melayu": .3, "jawa": .15, "timur": .15},
    "73": {"bugis": .85, "timur": .1, "jawa": .05},
    "74": {"bugis": .6, "jawa": .2, "melayu": .2},
    "75": {"melayu": .9, "bugis": .1},
    "76": {"bugis": .8, "melayu": .2},
    "81": {"timur": .55, "melayu": .45},
    "82": {"melayu": .6, "timur": .4},
}
_PAPUA = {"timur": .7, "jawa": .15, "bugis": .15}


def province_mix(province: str) -> dict[str, float]:
    return PROVINCE_MIX.get(province, _PAPUA if province >= "91" else {"jawa": .5, "melayu": .5})


# ---------------------------------------------------------------------------------------------
# Vectorised drawing
# ---------------------------------------------------------------------------------------------
_ZIPF_CACHE: dict[str, np.ndarray] = {}


def _zipf_cdf(pool: str) -> np.ndarray:
    cdf = _ZIPF_CACHE.get(pool)
    if cdf is None:
        n = len(P[pool])
        w = 1.0 / np.arange(1, n + 1) ** 0.7
        cdf = np.cumsum(w / w.sum())
        cdf[-1] = 1.0
        _ZIPF_CACHE[pool] = cdf
    return cdf


def draw(rng: np.random.Generator, pool: str, n: int) -> np.ndarray:
    """``n`` words from a pool, common ones more often."""
    idx = np.searchsorted(_zipf_cdf(pool), rng.random(n), side="right")
    return P[pool][np.minimum(idx, len(P[pool]) - 1)]


def draw_mix(rng: np.random.Generator, mix: list[tuple[str, float]], n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    weights = np.array([w for _, w in mix], dtype=float)
    which = rng.choice(len(mix), size=n, p=weights / weights.sum())
    for k, (pool, _) in enumerate(mix):
        sel = np.flatnonzero(which == k)
        if len(sel):
            out[sel] = draw(rng, pool, len(sel))
    return out


def _join(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """a + ' ' + b where mask, else a."""
    out = a.copy()
    if mask.any():
        out[mask] = a[mask] + " " + b[mask]
    return out


def given_names(rng: np.random.Generator, style: np.ndarray, female: np.ndarray,
                birth_year: np.ndarray, birth_order: np.ndarray) -> np.ndarray:
    """Given names (everything but a family name) for persons of the given style codes."""
    n = len(style)
    out = np.empty(n, dtype=object)
    era = np.where(birth_year < 1970, 0, np.where(birth_year < 1995, 1, 2))
    eras = ("old", "mid", "young")
    for s_code, s_name in enumerate(STYLE_NAMES):
        spec = STYLES[s_name]
        for fem in (False, True):
            sex_key = "f" if fem else "m"
            for e_code, e_name in enumerate(eras):
                sel = np.flatnonzero((style == s_code) & (female == fem) & (era == e_code))
                k = len(sel)
                if not k:
                    continue
                first_mix = spec[f"first_{sex_key}"][e_name]
                first = draw_mix(rng, first_mix, k)
                second_mix = spec[f"second_{sex_key}"]
                if e_name == "young":
                    second_mix = [(p, w * 0.4) for p, w in second_mix] + [(f"modern_{sex_key}_last", 0.6)]
                second = draw_mix(rng, second_mix, k)
                p1, p2, p3 = spec["parts"][e_name]
                u = rng.random(k)
                n_parts = np.where(u < p1, 1, np.where(u < p1 + p2, 2, 3))
                # Three words: first + another first-name word + a modern last word
                # (NAYLA PUTRI RAMADHANI).
                three = n_parts >= 3
                if three.any():
                    middle = draw_mix(rng, first_mix, k)
                    third = draw(rng, f"modern_{sex_key}_last", k)
                    same = (middle == first) | (third == first) | (third == middle)
                    second = np.where(three & ~same, middle + " " + third, second)
                # No word twice in a row (PUTRI PUTRI): such names keep one word.
                first_last = np.char.rpartition(first.astype(str), " ")[:, 2]
                second_first = np.char.partition(second.astype(str), " ")[:, 0]
                n_parts = np.where(first_last == second_first, 1, n_parts)
                name = _join(first, second, n_parts >= 2)
                pm, pf = spec["prefix"]
                p_pre = pf if fem else pm
                if p_pre:
                    pre = rng.random(k) < p_pre
                    # A prefix goes before a one- or two-word name that does not start with one.
                    first_u = first.astype(str)
                    for word in set(P[f"prefix_{sex_key}"]):
                        pre &= ~((first_u == word) | np.char.startswith(first_u, word + " "))
                    prefix = draw(rng, f"prefix_{sex_key}", k)
                    name = np.where(pre & (n_parts < 3), prefix + " " + name, name)
                noble = spec.get("noble")
                if noble:
                    title = noble[1] if fem else noble[0]
                    nb = rng.random(k) < noble[2]
                    name = np.where(nb, title + " " + name, name)
                if spec.get("bali"):
                    order = P["bali_order_f" if fem else "bali_order_m"]
                    o = order[np.clip(birth_order[sel], 0, len(order) - 1) % 8]
                    i_ni = "NI" if fem else "I"
                    use_prefix = rng.random(k) < 0.85
                    if spec.get("kasta"):  # the caste title replaces I/NI: IDA BAGUS PUTU ...
                        kasta = draw(rng, "kasta_f" if fem else "kasta_m", k)
                        name = kasta + " " + o + " " + name
                    else:
                        name = np.where(use_prefix, i_ni + " " + o + " " + name, o + " " + name)
                if spec.get("bin"):  # AHMAD BIN SALIM: the father's name after bin / binti
                    b = rng.random(k) < spec["bin"]
                    father = draw(rng, "arab_m", k)
                    name = np.where(b & (n_parts < 3), name + (" BINTI " if fem else " BIN ") + father, name)
                if spec.get("sayyid"):
                    t = rng.random(k) < spec["sayyid"]
                    name = np.where(t, draw(rng, "arab_title_f" if fem else "arab_title_m", k) + " " + name, name)
                if spec.get("chinese3"):  # TAN SIAN HWA: family name + two syllables
                    c3 = rng.random(k) < spec["chinese3"]
                    s1, s2 = draw(rng, "cina_syllable", k), draw(rng, "cina_syllable", k)
                    s2 = np.where(s1 == s2, "LIANG", s2)
                    name = np.where(c3, draw(rng, "cina_family", k) + " " + s1 + " " + s2, name)
                out[sel] = name
    return out


def family_names(rng: np.random.Generator, style: np.ndarray) -> np.ndarray:
    """A family name per row for styles that carry one, '' elsewhere (and for some in them)."""
    n = len(style)
    out = np.full(n, "", dtype=object)
    for s_code, s_name in enumerate(STYLE_NAMES):
        fam = STYLES[s_name].get("family")
        if not fam:
            continue
        sel = np.flatnonzero(style == s_code)
        if len(sel):
            names = draw(rng, fam[0], len(sel))
            keep = rng.random(len(sel)) < fam[1]
            out[sel] = np.where(keep, names, "")
    return out


def style_codes(rng: np.random.Generator, province: str, n: int,
                mix: dict[str, float] | None = None) -> np.ndarray:
    """Style codes of ``n`` households: the province's mix, or ``mix`` when given."""
    mix = mix or province_mix(province)
    names = list(mix)
    p = np.array([mix[k] for k in names], dtype=float)
    codes = np.array([STYLE_NAMES.index(k) for k in names])
    return codes[rng.choice(len(names), size=n, p=p / p.sum())]


def uses_father_name(style: np.ndarray) -> np.ndarray:
    probs = np.array([STYLES[s].get("father", 0.0) for s in STYLE_NAMES])
    return probs[style]


def boru_prob(style: np.ndarray) -> np.ndarray:
    probs = np.array([STYLES[s].get("boru", 0.0) for s in STYLE_NAMES])
    return probs[style]
