"""The agent console's UI strings, in the languages of the widget's catalog (bot.messages).

Keys start with "console."; `console_message` falls back the same way `bot.messages.message` does
(the base language, then English). Each row is (en, th, et, zh-TW, zh-CN).
"""

from __future__ import annotations

from bot.insights_messages import ROWS as INSIGHT_ROWS
from bot.messages import LANGUAGE_NAMES, pick_text

CONSOLE_LANGS = ("en", "th", "et", "zh-TW", "zh-CN")
# Each language's own name, for the language picker.
NATIVE_NAMES = {"en": "English", "th": "ไทย", "et": "eesti", "zh-TW": "繁體中文", "zh-CN": "简体中文"}

_ROWS: dict[str, tuple[str, str, str, str, str]] = {
    # --- frame, sign-in ---
    "skip": ("Skip to main content", "ข้ามไปยังเนื้อหาหลัก", "Liigu põhisisu juurde", "跳至主要內容", "跳至主要内容"),
    "product": ("faqbot console", "คอนโซล faqbot", "faqboti konsool", "faqbot 客服臺", "faqbot 客服台"),
    "language": ("Language", "ภาษา", "Keel", "語言", "语言"),
    "change_language": ("Change", "เปลี่ยน", "Muuda", "切換", "切换"),
    "sign_in": ("Sign in", "เข้าสู่ระบบ", "Logi sisse", "登入", "登录"),
    "sign_out": ("Sign out", "ออกจากระบบ", "Logi välja", "登出", "退出登录"),
    "key_label": ("API key", "คีย์ API", "API-võti", "API 金鑰", "API 密钥"),
    "sign_in_help": (
        "Use an agent, manager or admin key. It is exchanged for a session that ends when you sign "
        "out or after a while without use; the key is not kept in this browser.",
        "ใช้คีย์ของเจ้าหน้าที่ ผู้จัดการ หรือผู้ดูแลระบบ ระบบจะแลกคีย์เป็นเซสชันที่สิ้นสุดเมื่อออกจากระบบ"
        "หรือเมื่อไม่ได้ใช้งานสักระยะ และจะไม่เก็บคีย์ไว้ในเบราว์เซอร์นี้",
        "Kasutage klienditeenindaja, juhi või administraatori võtit. See vahetatakse seansi vastu, mis "
        "lõpeb väljalogimisel või mõne aja pärast kasutamata; võtit selles brauseris ei hoita.",
        "請使用客服人員、主管或管理員金鑰。金鑰會換成一個工作階段，登出或一段時間未使用後即結束；"
        "此瀏覽器不會保存金鑰。",
        "请使用客服、主管或管理员密钥。密钥会换成一个会话，退出登录或一段时间未使用后即失效；"
        "此浏览器不会保存密钥。"),
    "sign_in_bad_key": ("That key is unknown or revoked.", "ไม่รู้จักคีย์นี้ หรือคีย์ถูกเพิกถอนแล้ว",
                        "Seda võtit ei tunta või see on tühistatud.", "此金鑰不存在或已撤銷。",
                        "此密钥不存在或已被撤销。"),
    "sign_in_forbidden": ("A help-desk key cannot sign in to the console.",
                          "คีย์ของระบบช่วยเหลือลูกค้าเข้าสู่คอนโซลไม่ได้",
                          "Klienditoe süsteemi võtmega ei saa konsooli sisse logida.",
                          "客服系統整合金鑰無法登入客服臺。", "客服系统集成密钥无法登录客服台。"),
    "signed_in_as": ("Signed in as {name} ({role})", "เข้าสู่ระบบในชื่อ {name} ({role})",
                     "Sisse logitud: {name} ({role})", "目前登入：{name}（{role}）", "当前登录：{name}（{role}）"),
    "forbidden": ("You do not have access to this page.", "คุณไม่มีสิทธิ์เข้าถึงหน้านี้",
                  "Teil puudub sellele lehele ligipääs.", "您沒有權限檢視此頁面。", "您没有权限查看此页面。"),
    "error_title": ("Something went wrong", "เกิดข้อผิดพลาด", "Midagi läks valesti", "發生錯誤", "出错了"),
    "back": ("Back to the inbox", "กลับไปที่กล่องงาน", "Tagasi postkasti", "返回收件匣", "返回收件箱"),
    "nav": ("Console sections", "ส่วนต่าง ๆ ของคอนโซล", "Konsooli osad", "客服臺區塊", "客服台版块"),
    "nav_inbox": ("Inbox", "กล่องงาน", "Postkast", "收件匣", "收件箱"),
    "nav_admin": ("Keys and queues", "คีย์และคิวงาน", "Võtmed ja järjekorrad", "金鑰與佇列", "密钥与队列"),
    "nav_audit": ("Audit log", "บันทึกการใช้งาน", "Tegevuslogi", "稽核紀錄", "审计日志"),
    "role_helpdesk": ("help desk", "ระบบช่วยเหลือลูกค้า", "klienditoe süsteem", "客服系統", "客服系统"),
    "role_agent": ("agent", "เจ้าหน้าที่", "klienditeenindaja", "客服人員", "客服"),
    "role_manager": ("manager", "ผู้จัดการ", "juht", "主管", "主管"),
    "role_admin": ("admin", "ผู้ดูแลระบบ", "administraator", "管理員", "管理员"),
    # --- inbox ---
    "inbox_title": ("Inbox", "กล่องงาน", "Postkast", "收件匣", "收件箱"),
    "filters": ("Filters", "ตัวกรอง", "Filtrid", "篩選", "筛选"),
    "queue": ("Queue", "คิวงาน", "Järjekord", "佇列", "队列"),
    "status": ("Status", "สถานะ", "Olek", "狀態", "状态"),
    "lang_filter": ("Customer's language", "ภาษาของลูกค้า", "Kliendi keel", "客戶語言", "客户语言"),
    "priority": ("Priority", "ความสำคัญ", "Prioriteet", "優先順序", "优先级"),
    "reason": ("Reason", "สาเหตุ", "Põhjus", "原因", "原因"),
    "assigned_to": ("Assigned to", "มอบหมายให้", "Määratud", "負責人", "负责人"),
    "assigned_me": ("Me", "ฉัน", "Mina", "我", "我"),
    "assigned_none": ("Nobody", "ยังไม่มีผู้รับ", "Mitte kellelegi", "尚無人負責", "暂无负责人"),
    "any": ("Any", "ทั้งหมด", "Kõik", "全部", "全部"),
    "active": ("Open or claimed", "เปิดอยู่หรือมีผู้รับแล้ว", "Avatud või võetud", "待處理或已認領",
               "待处理或已认领"),
    "sort": ("Sort", "เรียงลำดับ", "Järjestus", "排序", "排序"),
    "sort_overdue": ("Most overdue first", "เกินกำหนดมากที่สุดก่อน", "Enim hilinenud eespool", "最逾期的優先",
                     "最逾期的优先"),
    "sort_oldest": ("Oldest first", "เก่าที่สุดก่อน", "Vanimad eespool", "最舊的優先", "最早的优先"),
    "sort_newest": ("Newest first", "ใหม่ที่สุดก่อน", "Uusimad eespool", "最新的優先", "最新的优先"),
    "sort_priority": ("Highest priority first", "ความสำคัญสูงสุดก่อน", "Kõrgeim prioriteet eespool",
                      "優先順序最高的優先", "优先级最高的优先"),
    "apply": ("Apply", "ใช้ตัวกรอง", "Rakenda", "套用", "应用"),
    "waiting": ("Waiting", "รอมาแล้ว", "Ootab", "等候時間", "等待时间"),
    "expected": ("Reply expected", "กำหนดตอบกลับ", "Vastus oodatud", "預計回覆", "预计回复"),
    "overdue": ("overdue", "เกินกำหนด", "hilinenud", "已逾期", "已逾期"),
    "out_of_hours": ("out of hours", "นอกเวลาทำการ", "väljaspool tööaega", "非服務時間", "非工作时间"),
    "customer_replied": ("Customer replied", "ลูกค้าตอบกลับแล้ว", "Klient vastas", "客戶已回覆", "客户已回复"),
    "none_found": ("No escalations match these filters.", "ไม่มีเรื่องที่ตรงกับตัวกรองนี้",
                   "Nende filtritega pöördumisi pole.", "沒有符合篩選條件的轉接。", "没有符合筛选条件的转接。"),
    "sound": ("Play a sound for new escalations", "เล่นเสียงเมื่อมีเรื่องใหม่", "Uue pöördumise korral heli",
              "有新轉接時播放提示音", "有新转接时播放提示音"),
    "new_count": ("{n} new", "ใหม่ {n} เรื่อง", "{n} uut", "{n} 則新轉接", "{n} 条新转接"),
    "count": ("{n} escalations", "{n} เรื่อง", "{n} pöördumist", "共 {n} 則轉接", "共 {n} 条转接"),
    "conversation": ("Conversation", "บทสนทนา", "Vestlus", "對話", "对话"),
    "status_open": ("open", "รอรับเรื่อง", "avatud", "待處理", "待处理"),
    "status_claimed": ("claimed", "มีผู้รับแล้ว", "võetud", "已認領", "已认领"),
    "status_resolved": ("resolved", "แก้ไขแล้ว", "lahendatud", "已解決", "已解决"),
    "priority_low": ("low", "ต่ำ", "madal", "低", "低"),
    "priority_normal": ("normal", "ปกติ", "tavaline", "一般", "普通"),
    "priority_high": ("high", "สูง", "kõrge", "高", "高"),
    "priority_urgent": ("urgent", "เร่งด่วน", "kiire", "緊急", "紧急"),
    "minutes": ("{n} min", "{n} นาที", "{n} min", "{n} 分鐘", "{n} 分钟"),
    "hours": ("{h} h {m} min", "{h} ชม. {m} นาที", "{h} h {m} min", "{h} 小時 {m} 分鐘", "{h} 小时 {m} 分钟"),
    "days": ("{d} d {h} h", "{d} วัน {h} ชม.", "{d} p {h} h", "{d} 天 {h} 小時", "{d} 天 {h} 小时"),
    # --- one conversation ---
    "transcript": ("Transcript", "บันทึกบทสนทนา", "Vestluse ajalugu", "對話紀錄", "对话记录"),
    "contact": ("Contact details", "ข้อมูลติดต่อ", "Kontaktandmed", "聯絡資料", "联系方式"),
    "contact_none": ("The customer gave no contact details.", "ลูกค้าไม่ได้ให้ข้อมูลติดต่อ",
                     "Klient ei andnud kontaktandmeid.", "客戶未留下聯絡資料。", "客户未留下联系方式。"),
    "name": ("Name", "ชื่อ", "Nimi", "姓名", "姓名"),
    "email": ("Email", "อีเมล", "E-post", "電子郵件", "电子邮箱"),
    "phone": ("Phone", "โทรศัพท์", "Telefon", "電話", "电话"),
    "customer_message": ("Customer's message", "ข้อความของลูกค้า", "Kliendi sõnum", "客戶留言", "客户留言"),
    "candidates": ("Articles the bot considered", "บทความที่บอตพิจารณา", "Artiklid, mida bot kaalus",
                   "機器人考慮過的文章", "机器人考虑过的文章"),
    "candidates_none": ("None.", "ไม่มี", "Puuduvad.", "無。", "无。"),
    "confidence": ("confidence {value}", "ความมั่นใจ {value}", "kindlus {value}", "信心值 {value}", "置信度 {value}"),
    "details": ("Details", "รายละเอียด", "Üksikasjad", "詳細資料", "详细信息"),
    "session_state": ("Session", "เซสชัน", "Seanss", "工作階段", "会话"),
    "state_bot": ("with the bot", "อยู่กับบอต", "boti juures", "由機器人處理", "由机器人处理"),
    "state_handed_off": ("with a person", "อยู่กับเจ้าหน้าที่", "inimese juures", "由真人處理", "由人工处理"),
    "claimed_by": ("Claimed by {name}", "{name} รับเรื่องแล้ว", "Võttis {name}", "由 {name} 認領", "由 {name} 认领"),
    "unclaimed": ("Not claimed yet", "ยังไม่มีผู้รับเรื่อง", "Keegi pole veel võtnud", "尚未認領", "尚未认领"),
    "claim": ("Claim", "รับเรื่อง", "Võta endale", "認領", "认领"),
    "claim_conflict": ("{name} has already claimed this conversation.", "{name} รับเรื่องนี้ไปแล้ว",
                       "{name} on selle vestluse juba võtnud.", "{name} 已認領此對話。", "{name} 已认领此对话。"),
    "conflict": ("This conversation changed meanwhile: {detail}", "บทสนทนานี้เปลี่ยนไประหว่างนี้: {detail}",
                 "Vestlus muutus vahepeal: {detail}", "此對話已有變更：{detail}", "此对话已有变更：{detail}"),
    "reply": ("Reply to the customer", "ตอบกลับลูกค้า", "Vasta kliendile", "回覆客戶", "回复客户"),
    "reply_send": ("Send reply", "ส่งคำตอบ", "Saada vastus", "送出回覆", "发送回复"),
    "reply_hint": ("The customer sees this in the chat widget (and by email if they have left).",
                   "ลูกค้าจะเห็นข้อความนี้ในหน้าต่างแชต (และทางอีเมลหากออกไปแล้ว)",
                   "Klient näeb seda vestlusaknas (ja e-kirjas, kui ta on lahkunud).",
                   "客戶會在對話視窗看到這則訊息（若已離開，也會收到電子郵件）。",
                   "客户会在对话窗口看到这条消息（如已离开，也会收到电子邮件）。"),
    "kb_search": ("Search the knowledge base", "ค้นหาในฐานความรู้", "Otsi teadmusbaasist", "搜尋知識庫", "搜索知识库"),
    "kb_search_button": ("Search", "ค้นหา", "Otsi", "搜尋", "搜索"),
    "kb_insert": ("Insert link", "แทรกลิงก์", "Lisa link", "插入連結", "插入链接"),
    "kb_no_hits": ("No articles found.", "ไม่พบบทความ", "Artikleid ei leitud.", "找不到文章。", "未找到文章。"),
    "kb_hits": ("{n} articles found.", "พบ {n} บทความ", "Leiti {n} artiklit.", "找到 {n} 篇文章。", "找到 {n} 篇文章。"),
    "note": ("Internal note", "บันทึกภายใน", "Sisemärkus", "內部備註", "内部备注"),
    "note_hint": ("Only agents see notes; the customer never does.", "เฉพาะเจ้าหน้าที่ที่เห็นบันทึก ลูกค้าจะไม่เห็น",
                  "Märkmeid näevad ainult teenindajad, klient mitte kunagi.", "只有客服人員看得到備註，客戶永遠看不到。",
                  "只有客服人员能看到备注，客户永远看不到。"),
    "note_add": ("Add note", "เพิ่มบันทึก", "Lisa märkus", "新增備註", "添加备注"),
    "notes": ("Notes", "บันทึก", "Märkmed", "備註", "备注"),
    "notes_none": ("No notes yet.", "ยังไม่มีบันทึก", "Märkmeid veel pole.", "尚無備註。", "暂无备注。"),
    "resolve": ("Resolve", "ปิดเรื่อง", "Märgi lahendatuks", "標示為已解決", "标记为已解决"),
    "release": ("Hand back to the bot", "ส่งกลับให้บอต", "Anna tagasi botile", "交還給機器人", "交还给机器人"),
    "actions": ("Actions", "การดำเนินการ", "Tegevused", "操作", "操作"),
    "who_customer": ("Customer", "ลูกค้า", "Klient", "客戶", "客户"),
    "who_bot": ("Bot", "บอต", "Bot", "機器人", "机器人"),
    "who_agent": ("Agent", "เจ้าหน้าที่", "Teenindaja", "客服人員", "客服"),
    "who_system": ("System", "ระบบ", "Süsteem", "系統", "系统"),
    "done_claim": ("You have claimed this conversation.", "คุณรับเรื่องนี้แล้ว", "Võtsite selle vestluse endale.",
                   "您已認領此對話。", "您已认领此对话。"),
    "done_reply": ("Reply sent.", "ส่งคำตอบแล้ว", "Vastus saadetud.", "回覆已送出。", "回复已发送。"),
    "done_note": ("Note added.", "เพิ่มบันทึกแล้ว", "Märkus lisatud.", "已新增備註。", "已添加备注。"),
    "done_resolve": ("Resolved.", "ปิดเรื่องแล้ว", "Lahendatud.", "已標示為已解決。", "已标记为已解决。"),
    "done_release": ("Handed back to the bot.", "ส่งกลับให้บอตแล้ว", "Antud tagasi botile.", "已交還給機器人。",
                     "已交还给机器人。"),
    "empty_text": ("Write something first.", "กรุณาพิมพ์ข้อความก่อน", "Kirjutage kõigepealt midagi.",
                   "請先輸入內容。", "请先输入内容。"),
    "not_found": ("There is no such escalation.", "ไม่พบเรื่องนี้", "Sellist pöördumist pole.", "找不到此轉接。",
                  "找不到此转接。"),
    # --- admin ---
    "admin_title": ("Keys and queues", "คีย์และคิวงาน", "Võtmed ja järjekorrad", "金鑰與佇列", "密钥与队列"),
    "keys": ("API keys", "คีย์ API", "API-võtmed", "API 金鑰", "API 密钥"),
    "key_id": ("Key", "คีย์", "Võti", "金鑰", "密钥"),
    "role": ("Role", "บทบาท", "Roll", "角色", "角色"),
    "key_name": ("Name", "ชื่อ", "Nimi", "名稱", "名称"),
    "created": ("Created", "สร้างเมื่อ", "Loodud", "建立時間", "创建时间"),
    "state": ("State", "สถานะ", "Olek", "狀態", "状态"),
    "key_active": ("active", "ใช้งานอยู่", "kehtiv", "使用中", "使用中"),
    "key_revoked": ("revoked", "เพิกถอนแล้ว", "tühistatud", "已撤銷", "已撤销"),
    "revoke": ("Revoke", "เพิกถอน", "Tühista", "撤銷", "撤销"),
    "revoke_key": ("Revoke {name}", "เพิกถอนคีย์ของ {name}", "Tühista {name} võti", "撤銷 {name} 的金鑰",
                   "撤销 {name} 的密钥"),
    "create_key": ("Create a key", "สร้างคีย์", "Loo võti", "建立金鑰", "创建密钥"),
    "create": ("Create", "สร้าง", "Loo", "建立", "创建"),
    "new_key_once": ("Copy this key now; it is not shown again:", "คัดลอกคีย์นี้ทันที ระบบจะไม่แสดงอีก:",
                     "Kopeerige see võti kohe, seda enam ei näidata:", "請立即複製此金鑰，之後不會再顯示：",
                     "请立即复制此密钥，之后不会再显示："),
    "display_name": ("Display name shown to customers", "ชื่อที่แสดงให้ลูกค้าเห็น", "Klientidele näidatav nimi",
                     "顯示給客戶的名稱", "向客户显示的名称"),
    "display_name_for": ("Display name of {name}", "ชื่อที่แสดงของ {name}", "{name} kuvatav nimi",
                         "{name} 的顯示名稱", "{name} 的显示名称"),
    "save": ("Save", "บันทึก", "Salvesta", "儲存", "保存"),
    "done_key_create": ("Key created.", "สร้างคีย์แล้ว", "Võti loodud.", "已建立金鑰。", "已创建密钥。"),
    "done_key_revoke": ("Key revoked; its sessions have ended.", "เพิกถอนคีย์แล้ว และเซสชันของคีย์สิ้นสุดแล้ว",
                        "Võti tühistatud, selle seansid on lõppenud.", "金鑰已撤銷，其工作階段已結束。",
                        "密钥已撤销，其会话已结束。"),
    "done_display_name": ("Display name saved.", "บันทึกชื่อที่แสดงแล้ว", "Kuvatav nimi salvestatud.",
                          "已儲存顯示名稱。", "已保存显示名称。"),
    "queues": ("Queues", "คิวงาน", "Järjekorrad", "佇列", "队列"),
    "timezone": ("Time zone", "เขตเวลา", "Ajavöönd", "時區", "时区"),
    "business_hours": ("Business hours", "เวลาทำการ", "Tööaeg", "服務時間", "工作时间"),
    "holidays": ("Holidays", "วันหยุด", "Pühad", "假日", "节假日"),
    "response_minutes": ("Promised reply", "ระยะเวลาตอบกลับที่สัญญา", "Lubatud vastamisaeg", "承諾回覆時間",
                         "承诺回复时间"),
    "open_now": ("open now", "เปิดทำการอยู่", "praegu avatud", "目前服務中", "当前工作中"),
    "closed_now": ("closed now", "ปิดทำการอยู่", "praegu suletud", "目前非服務時間", "当前非工作时间"),
    "waiting_now": ("Waiting now", "รออยู่ตอนนี้", "Praegu ootel", "目前等候中", "当前等待中"),
    # --- audit log ---
    "audit_title": ("Audit log", "บันทึกการใช้งาน", "Tegevuslogi", "稽核紀錄", "审计日志"),
    "when": ("When", "เมื่อ", "Millal", "時間", "时间"),
    "who": ("Who", "ผู้ดำเนินการ", "Kes", "人員", "人员"),
    "what": ("What", "การกระทำ", "Mida", "動作", "操作"),
    "escalation": ("Escalation", "เรื่องที่ส่งต่อ", "Pöördumine", "轉接", "转接"),
}

MESSAGES: dict[str, dict[str, str]] = {
    f"console.{key}": dict(zip(CONSOLE_LANGS, row, strict=True))
    for key, row in (*_ROWS.items(), *INSIGHT_ROWS.items())}


def console_message(key: str, lang: str, **values: str) -> str:
    """A console string in `lang` (or its base language, or English), with values filled in."""
    texts = MESSAGES.get(key)
    if texts is None:
        raise ValueError(f"unknown console message key {key!r}")
    return pick_text(texts, lang).format(**values)


def language_label(lang: str, in_lang: str) -> str:
    """A language's name for the console's language picker and the customer's language."""
    names = LANGUAGE_NAMES.get(in_lang) or LANGUAGE_NAMES["en"]
    return names.get(lang, lang)
