"""Writes procedures.json (the demo gateway's sample catalog). Edit here, then run:
    python assets/catalog/make_catalog.py
"""
import json
from pathlib import Path

def doc(vi, en, original=1, copies=0, required=True, note_vi="", note_en=""):
    d = {"name_vi": vi, "name_en": en, "originals": original, "copies": copies, "required": required}
    if note_vi: d["note_vi"] = note_vi
    if note_en: d["note_en"] = note_en
    return d

def fee(vi, en, amount, online=None, unit_vi="", unit_en="", exemptions_vi=(), exemptions_en=(), note_vi="", note_en=""):
    f = {"name_vi": vi, "name_en": en, "amount_vnd": amount}
    if online is not None: f["online_amount_vnd"] = online
    if unit_vi: f["unit_vi"], f["unit_en"] = unit_vi, unit_en
    f["exemptions_vi"] = list(exemptions_vi); f["exemptions_en"] = list(exemptions_en)
    if note_vi: f["note_vi"], f["note_en"] = note_vi, note_en
    return f

def form(props, required):
    return {"type": "object", "additionalProperties": False, "properties": props, "required": required}

S = lambda title_vi, title_en, maxlen=120, **kw: {"type": "string", "title": title_vi, "x-title-en": title_en, "maxLength": maxlen, **kw}
D = lambda title_vi, title_en: {"type": "string", "format": "date", "title": title_vi, "x-title-en": title_en}
E = lambda title_vi, title_en, values: {"type": "string", "enum": values, "title": title_vi, "x-title-en": title_en}
I = lambda title_vi, title_en, lo, hi: {"type": "integer", "minimum": lo, "maximum": hi, "title": title_vi, "x-title-en": title_en}
B = lambda title_vi, title_en: {"type": "boolean", "title": title_vi, "x-title-en": title_en}

ID_DOC = doc("Giấy tờ tùy thân của người yêu cầu (thẻ Căn cước/CCCD, hộ chiếu) — xuất trình; tại kiosk được đọc từ chip thẻ",
             "Requester's identity document (ID card, passport) — shown; at the kiosk it is read from the card chip", original=1)
CIVIL_BASIS = ["Luật Hộ tịch số 60/2014/QH13", "Nghị định 123/2015/NĐ-CP hướng dẫn Luật Hộ tịch", "Thông tư 04/2020/TT-BTP", "Thông tư 85/2019/TT-BTC (phí, lệ phí thuộc thẩm quyền HĐND tỉnh)"]
PROVINCIAL_FEE_NOTE = ("Mức thu do HĐND cấp tỉnh quy định (Thông tư 85/2019/TT-BTC); số tiền trong danh mục mẫu là ví dụ.",
                       "The amount is set by each provincial People's Council (Circular 85/2019/TT-BTC); the sample amount is an example.")
COMMUNE_VI, COMMUNE_EN = "Ủy ban nhân dân cấp xã (xã, phường, đặc khu)", "Commune/ward People's Committee"
COMMUNE_POLICE_VI, COMMUNE_POLICE_EN = "Công an cấp xã", "Commune/ward police"

life_events = [
    {"id": "birth", "name_vi": "Sinh con", "name_en": "Having a child"},
    {"id": "marriage", "name_vi": "Kết hôn", "name_en": "Getting married"},
    {"id": "residence", "name_vi": "Nơi ở, cư trú", "name_en": "Where you live"},
    {"id": "work", "name_vi": "Đi làm, tìm việc", "name_en": "Work and jobs"},
    {"id": "papers", "name_vi": "Giấy tờ, bản sao", "name_en": "Papers and copies"},
    {"id": "transport", "name_vi": "Phương tiện, lái xe", "name_en": "Driving"},
    {"id": "business", "name_vi": "Kinh doanh", "name_en": "Running a small business"},
    {"id": "death", "name_vi": "Người thân qua đời", "name_en": "When someone dies"},
]

P = []
P.append(dict(
    code="1.001193", code_verified=True, name_vi="Đăng ký khai sinh", name_en="Birth registration",
    level="commune", life_event="birth", field_vi="Hộ tịch", field_en="Civil status",
    agency_vi=COMMUNE_VI, agency_en=COMMUNE_EN,
    documents=[
        doc("Tờ khai đăng ký khai sinh (theo mẫu)", "Birth registration form"),
        doc("Bản chính Giấy chứng sinh; nếu không có: văn bản của người làm chứng, hoặc giấy cam đoan về việc sinh",
            "Original birth certificate from the hospital; if none, a witness statement or a written declaration of the birth"),
        doc("Văn bản xác nhận của cơ sở y tế đã thực hiện kỹ thuật hỗ trợ sinh sản (trường hợp mang thai hộ)",
            "Confirmation of the assisted-reproduction clinic (surrogacy cases only)", required=False),
        ID_DOC,
    ],
    fees=[fee("Lệ phí đăng ký khai sinh", "Birth registration fee", 0,
              exemptions_vi=["Miễn lệ phí khi đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)", "Người thuộc gia đình có công với cách mạng, hộ nghèo, người khuyết tật"],
              exemptions_en=["Free when registered on time (within 60 days of the birth)", "Families of people with merit to the revolution, poor households, people with disabilities"],
              note_vi="Đăng ký không đúng hạn: lệ phí theo mức HĐND tỉnh quy định.", note_en="Late registration: fee set by the province.")],
    processing_days=0, processing_vi="Ngay trong ngày tiếp nhận hồ sơ; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo",
    processing_en="The same day; dossiers received after 15:00 are done the next working day",
    result_vi="Giấy khai sinh (bản chính) và số định danh cá nhân của trẻ", result_en="Birth certificate and the child's personal identification number",
    delivery_options=["pickup", "post"],
    legal_basis=CIVIL_BASIS + ["Nghị định 63/2024/NĐ-CP (liên thông khai sinh – thường trú – thẻ BHYT cho trẻ dưới 6 tuổi)"],
    sources=["https://dichvucong.gov.vn (mã 1.001193)", "http://molao.hadong.hanoi.gov.vn/print-multi.php?in-thutuc=20855"],
    form=form({
        "child_full_name": S("Họ, chữ đệm và tên của trẻ", "Child's full name", 80),
        "child_date_of_birth": D("Ngày sinh", "Date of birth"),
        "child_sex": E("Giới tính", "Sex", ["Nam", "Nữ"]),
        "place_of_birth": S("Nơi sinh (cơ sở y tế hoặc địa chỉ)", "Place of birth", 200),
        "ethnicity": S("Dân tộc", "Ethnicity", 40),
        "nationality": S("Quốc tịch", "Nationality", 40, default="Việt Nam"),
        "requester_relation": E("Quan hệ với trẻ", "Relation to the child", ["cha", "mẹ", "ông", "bà", "người thân khác"]),
    }, ["child_full_name", "child_date_of_birth", "child_sex", "place_of_birth", "requester_relation"]),
))
P.append(dict(
    code="1.000894", code_verified=True, name_vi="Đăng ký kết hôn", name_en="Marriage registration",
    level="commune", life_event="marriage", field_vi="Hộ tịch", field_en="Civil status",
    agency_vi=COMMUNE_VI, agency_en=COMMUNE_EN,
    documents=[
        doc("Tờ khai đăng ký kết hôn (theo mẫu), hai bên có thể dùng chung một tờ khai", "Marriage registration form (one form may serve both parties)"),
        doc("Giấy xác nhận tình trạng hôn nhân, nếu đăng ký kết hôn ở nơi không phải nơi thường trú", "Marital status confirmation, when registering away from one's place of residence", required=False),
        doc("Giấy tờ tùy thân của hai bên — xuất trình", "Identity documents of both parties — shown"),
    ],
    fees=[fee("Lệ phí đăng ký kết hôn", "Marriage registration fee", 0,
              exemptions_vi=["Nhiều tỉnh miễn lệ phí đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước"],
              exemptions_en=["Many provinces waive the fee between Vietnamese citizens residing in Vietnam"],
              note_vi=PROVINCIAL_FEE_NOTE[0], note_en=PROVINCIAL_FEE_NOTE[1])],
    processing_days=0, processing_vi="Ngay sau khi nhận đủ hồ sơ hợp lệ; cần xác minh thì không quá 05 ngày làm việc",
    processing_en="Immediately once the dossier is complete; up to 5 working days when checks are needed",
    result_vi="Giấy chứng nhận kết hôn (mỗi bên một bản chính); hai bên phải có mặt khi nhận", result_en="Marriage certificate (one original each); both parties must be present to receive it",
    delivery_options=["pickup"],
    legal_basis=CIVIL_BASIS + ["Luật Hôn nhân và gia đình số 52/2014/QH13"],
    sources=["https://dichvucong.gov.vn (mã 1.000894)"],
    form=form({
        "partner_full_name": S("Họ tên bên kia", "Partner's full name", 80),
        "partner_date_of_birth": D("Ngày sinh của bên kia", "Partner's date of birth"),
        "previously_married": B("Đã từng kết hôn", "Previously married"),
    }, ["partner_full_name", "partner_date_of_birth", "previously_married"]),
))
P.append(dict(
    code="1.004873", code_verified=True, name_vi="Cấp Giấy xác nhận tình trạng hôn nhân", name_en="Marital status confirmation",
    level="commune", life_event="marriage", field_vi="Hộ tịch", field_en="Civil status",
    agency_vi=COMMUNE_VI, agency_en=COMMUNE_EN,
    documents=[
        doc("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (theo mẫu)", "Application form for a marital status confirmation"),
        doc("Bản sao bản án/quyết định ly hôn đã có hiệu lực, hoặc giấy tờ chứng minh người kia đã chết (nếu đã từng kết hôn)",
            "Copy of the final divorce judgment, or proof of the spouse's death (if previously married)", original=0, copies=1, required=False),
        doc("Giấy xác nhận tình trạng hôn nhân đã cấp trước đây (khi xin cấp lại cho mục đích khác)", "The previously issued confirmation (when asking again for another purpose)", required=False),
        ID_DOC,
    ],
    fees=[fee("Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", "Marital status confirmation fee", 3000,
              exemptions_vi=["Người thuộc gia đình có công với cách mạng, hộ nghèo, người khuyết tật"],
              exemptions_en=["Families of people with merit to the revolution, poor households, people with disabilities"],
              note_vi=PROVINCIAL_FEE_NOTE[0], note_en=PROVINCIAL_FEE_NOTE[1])],
    processing_days=3, processing_vi="03 ngày làm việc; trường hợp phải xác minh không quá 23 ngày",
    processing_en="3 working days; up to 23 days when it must be verified",
    result_vi="Giấy xác nhận tình trạng hôn nhân", result_en="Marital status confirmation",
    delivery_options=["pickup", "post"], legal_basis=CIVIL_BASIS,
    sources=["https://dichvucong.angiang.gov.vn/dichvucong/tra-cuu/chi-tiet-thu-tuc?ma-thu-tuc=26195 (1.004873.000.00.00.H01)",
             "https://dichvucong.tayninh.gov.vn/ThuTuc/ChiTietThuTuc?ThuTucID=5073"],
    form=form({
        "purpose": E("Mục đích sử dụng", "Purpose", ["kết hôn", "mục đích khác"]),
        "purpose_detail": S("Ghi rõ mục đích khác", "Other purpose", 200),
        "marital_status": E("Tình trạng hôn nhân hiện tại", "Current marital status", ["chưa kết hôn", "đã ly hôn", "vợ/chồng đã chết", "đang có vợ/chồng"]),
    }, ["purpose", "marital_status"]),
))
RES_BASIS = ["Luật Cư trú số 68/2020/QH14", "Nghị định 154/2024/NĐ-CP hướng dẫn Luật Cư trú", "Thông tư 55/2021/TT-BCA; Thông tư 66/2023/TT-BCA (mẫu CT01)", "Thông tư 75/2022/TT-BTC (lệ phí đăng ký cư trú)"]
RES_EXEMPT_VI = ["Trẻ em dưới 18 tuổi, người cao tuổi, người khuyết tật", "Người có công với cách mạng và thân nhân", "Người thuộc hộ nghèo; đồng bào dân tộc thiểu số ở xã có điều kiện kinh tế - xã hội đặc biệt khó khăn"]
RES_EXEMPT_EN = ["Children under 18, the elderly, people with disabilities", "People with merit to the revolution and their relatives", "Poor households; ethnic minorities in communes with especially difficult conditions"]
P.append(dict(
    code="1.004222", code_verified=True, name_vi="Đăng ký thường trú", name_en="Permanent residence registration",
    level="commune", life_event="residence", field_vi="Đăng ký, quản lý cư trú", field_en="Residence",
    agency_vi=COMMUNE_POLICE_VI, agency_en=COMMUNE_POLICE_EN,
    documents=[
        doc("Tờ khai thay đổi thông tin cư trú (mẫu CT01), có ý kiến đồng ý của chủ hộ/chủ sở hữu chỗ ở khi không phải chỗ ở của mình",
            "Residence information change form (CT01), with the consent of the household head/owner when the home is not yours"),
        doc("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp (không phải nộp nếu đã có trong cơ sở dữ liệu)",
            "Proof of lawful accommodation (not needed if already in the national database)", original=0, copies=1),
        doc("Giấy tờ chứng minh quan hệ nhân thân (khi nhập vào hộ của người thân)", "Proof of family relationship (when joining a relative's household)", original=0, copies=1, required=False),
    ],
    fees=[fee("Lệ phí đăng ký thường trú", "Permanent residence fee", 20000, online=10000,
              exemptions_vi=RES_EXEMPT_VI, exemptions_en=RES_EXEMPT_EN)],
    processing_days=7, processing_vi="07 ngày làm việc kể từ ngày nhận đủ hồ sơ", processing_en="7 working days from a complete dossier",
    result_vi="Cập nhật thông tin thường trú vào Cơ sở dữ liệu về cư trú; thông báo kết quả", result_en="Residence database updated; notice of the result",
    delivery_options=["pickup", "post"], legal_basis=RES_BASIS,
    sources=["https://dichvucong.gov.vn (mã 1.004222)", "https://danluat.thuvienphapluat.vn/tags/Mẫu-CT01"],
    form=form({
        "new_address_province": S("Tỉnh/thành phố nơi đăng ký", "Province", 60),
        "new_address_ward": S("Xã/phường nơi đăng ký", "Ward/commune", 60),
        "new_address_street": S("Số nhà, đường, thôn/tổ", "House number, street, hamlet", 160),
        "accommodation": E("Chỗ ở", "Accommodation", ["nhà của mình", "nhà thuê, mượn, ở nhờ", "nhà người thân"]),
    }, ["new_address_province", "new_address_ward", "new_address_street", "accommodation"]),
))
P.append(dict(
    code="1.004194", code_verified=True, name_vi="Đăng ký tạm trú", name_en="Temporary residence registration",
    level="commune", life_event="residence", field_vi="Đăng ký, quản lý cư trú", field_en="Residence",
    agency_vi=COMMUNE_POLICE_VI, agency_en=COMMUNE_POLICE_EN,
    documents=[
        doc("Tờ khai thay đổi thông tin cư trú (mẫu CT01)", "Residence information change form (CT01)"),
        doc("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp (hợp đồng thuê, giấy tờ nhà)", "Proof of lawful accommodation (lease, title deed)", original=0, copies=1),
    ],
    fees=[fee("Lệ phí đăng ký tạm trú", "Temporary residence fee", 15000, online=7000,
              exemptions_vi=RES_EXEMPT_VI, exemptions_en=RES_EXEMPT_EN)],
    processing_days=3, processing_vi="03 ngày làm việc", processing_en="3 working days",
    result_vi="Cập nhật thông tin tạm trú vào Cơ sở dữ liệu về cư trú", result_en="Temporary residence recorded in the residence database",
    delivery_options=["pickup", "post"], legal_basis=RES_BASIS,
    sources=["https://dichvucong.laocai.gov.vn/dich-vu-cong/tra-cuu/chi-tiet-thu-tuc?ma-thu-tuc=36322", "https://huyennampo.dienbien.gov.vn/Thutuchanhchinh/View/-Dang-ky-tam-tru"],
    form=form({
        "address_province": S("Tỉnh/thành phố", "Province", 60),
        "address_ward": S("Xã/phường", "Ward/commune", 60),
        "address_street": S("Số nhà, đường, thôn/tổ", "House number, street, hamlet", 160),
        "months": I("Thời hạn tạm trú (tháng)", "Length of stay (months)", 1, 24),
    }, ["address_province", "address_ward", "address_street", "months"]),
))
P.append(dict(
    code="2.000488", code_verified=False, name_vi="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
    name_en="Judicial record certificate (Vietnamese citizens and foreign residents)",
    level="province", life_event="work", field_vi="Lý lịch tư pháp", field_en="Judicial records",
    agency_vi="Công an cấp tỉnh (từ 01/7/2025; trước đó Sở Tư pháp)", agency_en="Provincial police (since 1 July 2025; formerly the Department of Justice)",
    documents=[
        doc("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (mẫu theo Thông tư 06/2024/TT-BTP)", "Judicial record request form (Circular 06/2024/TT-BTP)"),
        doc("Bản chụp giấy tờ tùy thân (không phải nộp nếu khai thác được từ Cơ sở dữ liệu quốc gia về dân cư)", "Copy of the identity document (not needed when the population database has it)", original=0, copies=1, required=False),
        doc("Văn bản ủy quyền (khi ủy quyền; không áp dụng với Phiếu số 2)", "Power of attorney (when acting for someone; not for certificate no. 2)", required=False),
    ],
    fees=[fee("Phí cung cấp thông tin lý lịch tư pháp", "Judicial record fee", 200000, unit_vi="lần/người", unit_en="per request",
              exemptions_vi=["Sinh viên, người có công với cách mạng, thân nhân liệt sĩ: 100.000 đồng", "Miễn: trẻ em, người cao tuổi, người khuyết tật, người thuộc hộ nghèo, người cư trú ở xã đặc biệt khó khăn"],
              exemptions_en=["Students, people with merit, martyrs' relatives: 100,000 VND", "Free: children, the elderly, people with disabilities, poor households, residents of especially disadvantaged communes"],
              note_vi="Từ Phiếu thứ 3 trở đi trong một lần yêu cầu thu thêm 5.000 đồng/Phiếu.", note_en="From the 3rd certificate in one request: 5,000 VND more per certificate.")],
    processing_days=10, processing_vi="Không quá 10 ngày; trường hợp phức tạp không quá 15 ngày", processing_en="Up to 10 days; up to 15 days in complex cases",
    result_vi="Phiếu lý lịch tư pháp số 1 hoặc số 2 (bản giấy hoặc điện tử)", result_en="Judicial record certificate no. 1 or no. 2 (paper or electronic)",
    delivery_options=["pickup", "post"],
    legal_basis=["Luật Lý lịch tư pháp số 28/2009/QH12", "Nghị định 111/2010/NĐ-CP", "Thông tư 06/2024/TT-BTP", "Thông tư 244/2016/TT-BTC (phí)"],
    sources=["national procedure catalog (csdl.dichvucong.gov.vn) — procedure code to be confirmed by the integrator"],
    form=form({
        "certificate_type": E("Loại Phiếu", "Certificate", ["số 1", "số 2"]),
        "copies": I("Số lượng Phiếu", "Number of certificates", 1, 10),
        "purpose": S("Mục đích sử dụng", "Purpose", 200),
        "former_residences": S("Nơi thường trú, tạm trú trước đây (từ 14 tuổi)", "Former residences (since age 14)", 500),
    }, ["certificate_type", "copies", "purpose"]),
))
P.append(dict(
    code="2.000815", code_verified=True, name_vi="Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận",
    name_en="Certified copy from an original (documents issued in Vietnam)",
    level="commune", life_event="papers", field_vi="Chứng thực", field_en="Certification",
    agency_vi=COMMUNE_VI + "; tổ chức hành nghề công chứng", agency_en=COMMUNE_EN + "; notary offices",
    documents=[
        doc("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực", "The original document"),
        doc("Bản sao cần chứng thực (nếu người yêu cầu tự chuẩn bị)", "The copies to certify (if you bring your own)", original=0, copies=1, required=False),
    ],
    fees=[fee("Phí chứng thực bản sao từ bản chính", "Certified copy fee", 2000, unit_vi="trang", unit_en="per page",
              note_vi="Từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản.", note_en="From the third page 1,000 VND per page, at most 200,000 VND per copy.")],
    processing_days=0, processing_vi="Trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo", processing_en="The same day; after 15:00 the next working day",
    result_vi="Bản sao được chứng thực từ bản chính", result_en="Certified copy",
    delivery_options=["pickup", "post"],
    legal_basis=["Nghị định 23/2015/NĐ-CP về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký", "Thông tư 01/2020/TT-BTP", "Thông tư 226/2016/TT-BTC (phí chứng thực)"],
    sources=["https://congchung2tphcm.com.vn/chung-thuc-ban-sao-2/ (mức phí theo TT 226/2016/TT-BTC)"],
    form=form({
        "document_kind": S("Loại giấy tờ", "Kind of document", 120),
        "pages": I("Số trang", "Pages", 1, 500),
        "copies": I("Số bản sao", "Number of copies", 1, 50),
    }, ["document_kind", "pages", "copies"]),
))
P.append(dict(
    code="2.000635", code_verified=True, name_vi="Cấp bản sao Trích lục hộ tịch", name_en="Copy of a civil-status extract (e.g. birth certificate copy)",
    level="commune", life_event="papers", field_vi="Hộ tịch", field_en="Civil status",
    agency_vi=COMMUNE_VI + " nơi đã đăng ký sự kiện hộ tịch", agency_en=COMMUNE_EN + " where the event was registered",
    documents=[
        doc("Tờ khai cấp bản sao trích lục hộ tịch (theo mẫu)", "Request form for a copy of a civil-status extract"),
        doc("Văn bản ủy quyền (khi yêu cầu thay người khác, trừ người thân)", "Power of attorney (when acting for someone other than a close relative)", required=False),
        ID_DOC,
    ],
    fees=[fee("Phí cấp bản sao trích lục hộ tịch", "Extract copy fee", 8000, unit_vi="bản", unit_en="per copy")],
    processing_days=0, processing_vi="Ngay trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo", processing_en="The same day; after 15:00 the next working day",
    result_vi="Bản sao trích lục hộ tịch", result_en="Copy of the civil-status extract",
    delivery_options=["pickup", "post"], legal_basis=CIVIL_BASIS + ["Thông tư 281/2016/TT-BTC (phí khai thác, sử dụng thông tin hộ tịch)"],
    sources=["https://dichvucong.gov.vn (mã 2.000635)"],
    form=form({
        "record_kind": E("Loại trích lục", "Extract of", ["khai sinh", "kết hôn", "khai tử", "khác"]),
        "registered_year": I("Năm đăng ký", "Year registered", 1945, 2100),
        "copies": I("Số bản", "Copies", 1, 20),
    }, ["record_kind", "copies"]),
))
P.append(dict(
    code="3.000347", code_verified=False, name_vi="Đổi giấy phép lái xe", name_en="Driving licence renewal/exchange",
    level="province", life_event="transport", field_vi="Đường bộ", field_en="Road traffic",
    agency_vi="Công an cấp tỉnh (từ 01/3/2025; trước đó Sở Giao thông vận tải)", agency_en="Provincial police (since 1 March 2025; formerly the Department of Transport)",
    documents=[
        doc("Đơn đề nghị đổi giấy phép lái xe (theo mẫu)", "Application form for a driving licence exchange"),
        doc("Giấy khám sức khỏe của người lái xe (đối với hạng phải khám; khai thác điện tử nếu đã liên thông)", "Driver's health certificate (classes that need one; fetched electronically where linked)", required=False),
        doc("Giấy phép lái xe đang sử dụng (bản chính, xuất trình)", "The current driving licence (original, shown)"),
    ],
    fees=[fee("Lệ phí cấp đổi giấy phép lái xe", "Driving licence exchange fee", 135000, unit_vi="lần", unit_en="per licence")],
    processing_days=5, processing_vi="Không quá 05 ngày làm việc", processing_en="Up to 5 working days",
    result_vi="Giấy phép lái xe (thẻ PET) và giấy phép lái xe điện tử trên VNeID", result_en="Driving licence (PET card) and its electronic version in VNeID",
    delivery_options=["pickup", "post"],
    legal_basis=["Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15", "Thông tư của Bộ Công an quy định về cấp, đổi giấy phép lái xe (số hiệu do bên tích hợp xác nhận)", "Thông tư 37/2023/TT-BTC (lệ phí)"],
    sources=["third-party mapping to dichvucong.gov.vn code 3.000347 — code and circular to be confirmed by the integrator"],
    form=form({
        "licence_class": E("Hạng giấy phép", "Licence class", ["A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE"]),
        "reason": E("Lý do đổi", "Reason", ["hết hạn", "hư hỏng", "thay đổi thông tin", "đổi sang mẫu mới"]),
    }, ["licence_class", "reason"]),
))
P.append(dict(
    code="1.001612", code_verified=True, name_vi="Đăng ký thành lập hộ kinh doanh", name_en="Business household registration",
    level="commune", life_event="business", field_vi="Thành lập và hoạt động của hộ kinh doanh", field_en="Household businesses",
    agency_vi=COMMUNE_VI + " (cơ quan đăng ký kinh doanh cấp xã)", agency_en=COMMUNE_EN + " (business registration office)",
    documents=[
        doc("Giấy đề nghị đăng ký hộ kinh doanh (theo mẫu)", "Business household registration application"),
        doc("Bản sao giấy tờ pháp lý của cá nhân của các thành viên hộ gia đình đăng ký (khi không khai thác được từ CSDL dân cư)", "Copies of the members' identity documents (when not in the population database)", original=0, copies=1, required=False),
        doc("Bản sao biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (khi các thành viên cùng thành lập)", "Copy of the household members' meeting minutes (when several members register together)", original=0, copies=1, required=False),
        doc("Văn bản ủy quyền cho thành viên làm chủ hộ kinh doanh (nếu có)", "Authorisation for the member who runs the business (if any)", required=False),
    ],
    fees=[fee("Lệ phí đăng ký hộ kinh doanh", "Business household registration fee", 100000,
              exemptions_vi=["Nhiều tỉnh miễn hoặc giảm khi nộp trực tuyến"], exemptions_en=["Many provinces waive or reduce it online"],
              note_vi=PROVINCIAL_FEE_NOTE[0], note_en=PROVINCIAL_FEE_NOTE[1])],
    processing_days=3, processing_vi="03 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ", processing_en="3 working days from a valid dossier",
    result_vi="Giấy chứng nhận đăng ký hộ kinh doanh", result_en="Business household registration certificate",
    delivery_options=["pickup", "post"],
    legal_basis=["Nghị định 01/2021/NĐ-CP về đăng ký doanh nghiệp (Chương VIII: hộ kinh doanh)", "Thông tư 85/2019/TT-BTC"],
    sources=["https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-nganh-doc.html?ma_thu_tuc=1.001612"],
    form=form({
        "business_name": S("Tên hộ kinh doanh", "Business name", 120),
        "business_lines": S("Ngành, nghề kinh doanh", "Lines of business", 500),
        "capital_vnd": I("Vốn kinh doanh (đồng)", "Capital (VND)", 0, 10**12),
        "employees": I("Số lao động", "Employees", 0, 1000),
        "address_province": S("Tỉnh/thành phố", "Province", 60),
        "address_ward": S("Xã/phường", "Ward/commune", 60),
        "address_street": S("Địa chỉ kinh doanh", "Business address", 160),
    }, ["business_name", "business_lines", "capital_vnd", "address_province", "address_ward", "address_street"]),
))
P.append(dict(
    code="2.000720", code_verified=True, name_vi="Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", name_en="Change of business household registration details",
    level="commune", life_event="business", field_vi="Thành lập và hoạt động của hộ kinh doanh", field_en="Household businesses",
    agency_vi=COMMUNE_VI + " (cơ quan đăng ký kinh doanh cấp xã)", agency_en=COMMUNE_EN + " (business registration office)",
    documents=[
        doc("Thông báo thay đổi nội dung đăng ký hộ kinh doanh (theo mẫu)", "Notice of change of registration details"),
        doc("Giấy tờ liên quan đến nội dung thay đổi (biên bản họp, hợp đồng chuyển nhượng…)", "Documents about the change (minutes, transfer agreement…)", original=0, copies=1, required=False),
    ],
    fees=[fee("Lệ phí", "Fee", 50000, note_vi=PROVINCIAL_FEE_NOTE[0], note_en=PROVINCIAL_FEE_NOTE[1])],
    processing_days=3, processing_vi="03 ngày làm việc", processing_en="3 working days",
    result_vi="Giấy chứng nhận đăng ký hộ kinh doanh (cấp lại theo nội dung thay đổi)", result_en="Updated business household registration certificate",
    delivery_options=["pickup", "post"], legal_basis=["Nghị định 01/2021/NĐ-CP", "Thông tư 85/2019/TT-BTC"],
    sources=["https://dichvucong.gov.vn (mã 2.000720)"],
    form=form({
        "registration_number": S("Số giấy chứng nhận đăng ký hộ kinh doanh", "Registration number", 30),
        "change": E("Nội dung thay đổi", "What changes", ["ngành nghề", "địa chỉ", "vốn", "chủ hộ", "tên"]),
        "change_detail": S("Nội dung mới", "New details", 500),
    }, ["registration_number", "change", "change_detail"]),
))
P.append(dict(
    code="BHXH.CAPLAISO", code_verified=False, name_vi="Cấp lại sổ bảo hiểm xã hội do mất, hỏng", name_en="Reissue of a lost or damaged social-insurance book",
    level="province", life_event="work", field_vi="Cấp sổ, thẻ BHXH, BHYT", field_en="Social insurance",
    agency_vi="Cơ quan Bảo hiểm xã hội (BHXH cơ sở, BHXH tỉnh)", agency_en="Social Security office (local or provincial)",
    documents=[
        doc("Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (mẫu TK1-TS)", "Social/health insurance registration and change form (TK1-TS)"),
    ],
    fees=[fee("Không thu phí", "No fee", 0)],
    processing_days=10, processing_vi="Không quá 10 ngày làm việc (cơ quan BHXH công bố thời hạn cụ thể)", processing_en="Up to 10 working days (the Social Security office publishes the exact time)",
    result_vi="Sổ BHXH (cấp lại)", result_en="Reissued social-insurance book",
    delivery_options=["pickup", "post"],
    legal_basis=["Luật Bảo hiểm xã hội số 41/2024/QH15", "Quyết định 595/QĐ-BHXH (Điều 27, 29: hồ sơ cấp lại sổ)", "Quyết định 896/QĐ-BHXH"],
    sources=["https://vov.vn/phap-luat/tu-van-luat/thay-doi-can-cuoc-cong-dan-co-phai-thay-doi-so-bhxh-1056444.vov (QĐ 595/QĐ-BHXH)",
             "national catalog code not found in public sources: the integrator maps it (placeholder code BHXH.CAPLAISO)"],
    form=form({
        "social_insurance_number": S("Mã số BHXH", "Social insurance number", 10, pattern=r"^\d{10}$"),
        "reason": E("Lý do", "Reason", ["mất sổ", "hỏng sổ"]),
    }, ["social_insurance_number", "reason"]),
))
P.append(dict(
    code="1.000656", code_verified=True, name_vi="Đăng ký khai tử", name_en="Death registration",
    level="commune", life_event="death", field_vi="Hộ tịch", field_en="Civil status",
    agency_vi=COMMUNE_VI + " nơi cư trú cuối cùng của người chết", agency_en=COMMUNE_EN + " of the deceased's last residence",
    documents=[
        doc("Tờ khai đăng ký khai tử (theo mẫu)", "Death registration form"),
        doc("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử", "Death notice from the hospital or an equivalent document"),
        ID_DOC,
    ],
    fees=[fee("Lệ phí đăng ký khai tử", "Death registration fee", 0,
              exemptions_vi=["Miễn khi đăng ký đúng hạn (trong 15 ngày kể từ ngày chết)"], exemptions_en=["Free when registered on time (within 15 days of the death)"],
              note_vi="Đăng ký quá hạn: lệ phí theo mức HĐND tỉnh quy định.", note_en="Late registration: fee set by the province.")],
    processing_days=0, processing_vi="Ngay trong ngày; cần xác minh thì không quá 03 ngày làm việc", processing_en="The same day; up to 3 working days when checks are needed",
    result_vi="Trích lục khai tử", result_en="Death registration extract",
    delivery_options=["pickup", "post"], legal_basis=CIVIL_BASIS,
    sources=["https://dichvucong.gov.vn (mã 1.000656)"],
    form=form({
        "deceased_full_name": S("Họ tên người chết", "Deceased's full name", 80),
        "date_of_death": D("Ngày chết", "Date of death"),
        "place_of_death": S("Nơi chết", "Place of death", 200),
        "requester_relation": S("Quan hệ với người chết", "Relation to the deceased", 40),
    }, ["deceased_full_name", "date_of_death", "place_of_death", "requester_relation"]),
))
P.append(dict(
    code="1.000881", code_verified=True, name_vi="Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", name_en="Change or correction of civil-status records",
    level="commune", life_event="papers", field_vi="Hộ tịch", field_en="Civil status",
    agency_vi=COMMUNE_VI, agency_en=COMMUNE_EN,
    documents=[
        doc("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch (theo mẫu)", "Application form for a change or correction"),
        doc("Giấy tờ làm căn cứ cho việc thay đổi, cải chính, bổ sung", "Documents that justify the change", original=0, copies=1),
        ID_DOC,
    ],
    fees=[fee("Lệ phí", "Fee", 15000, note_vi=PROVINCIAL_FEE_NOTE[0], note_en=PROVINCIAL_FEE_NOTE[1])],
    processing_days=3, processing_vi="03 ngày làm việc; cần xác minh thì không quá 06 ngày làm việc", processing_en="3 working days; up to 6 when checks are needed",
    result_vi="Trích lục thay đổi, cải chính, bổ sung hộ tịch", result_en="Extract of the change or correction",
    delivery_options=["pickup", "post"], legal_basis=CIVIL_BASIS + ["Bộ luật Dân sự 2015 (Điều 27, 28: thay đổi họ, tên)"],
    sources=["https://dichvucong.gov.vn (mã 1.000881)"],
    form=form({
        "record_kind": E("Giấy tờ hộ tịch cần thay đổi", "Record to change", ["khai sinh", "kết hôn", "khai tử", "khác"]),
        "change": E("Loại yêu cầu", "Request", ["thay đổi", "cải chính", "bổ sung"]),
        "change_detail": S("Nội dung đề nghị", "What to change", 500),
    }, ["record_kind", "change", "change_detail"]),
))

catalog = {
    "about": ("Sample procedure catalog of the demo gateway: real procedures from the national procedure catalog "
              "(csdl.dichvucong.gov.vn) and provincial portals, with required documents, fees and processing times as published "
              "there, grouped by life event. Fees marked as set by the province are examples. code_verified=false marks a code "
              "that could not be confirmed from public sources: an integrator maps it. Checked 2026-11; procedures change: "
              "a real gateway serves the catalog in force."),
    "version": "2026-11-demo",
    "life_events": life_events,
    "procedures": P,
}
json.dump(catalog, open(Path(__file__).with_name("procedures.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=1)
print(len(P), "procedures")
