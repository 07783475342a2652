"""The catalog of every string a customer sees, per language (English is the fallback).

Bot messages are plain keys; the chat widget's labels are the keys starting with "ui.".
"""

from __future__ import annotations

import string

from bot.talk_messages import CONVERSATION
from kb.languages import base_lang

_CATALOG = ("en", "th", "et", "zh-TW", "zh-CN", "ar", "he")
_RTL = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "dv", "ug", "ku", "sd"})
# Scripts that put no space between sentences.
_NO_SPACE = frozenset({"zh", "ja"})

# Names as they read inside `only_in`: Estonian, Arabic and Hebrew need the "in ..." form there.
LANGUAGE_NAMES = {
    "en": {"en": "English", "th": "Thai", "et": "Estonian", "zh-TW": "Traditional Chinese",
           "zh-CN": "Simplified Chinese", "ar": "Arabic", "he": "Hebrew"},
    "th": {"en": "ภาษาอังกฤษ", "th": "ภาษาไทย", "et": "ภาษาเอสโตเนีย", "zh-TW": "ภาษาจีนตัวเต็ม",
           "zh-CN": "ภาษาจีนตัวย่อ", "ar": "ภาษาอาหรับ", "he": "ภาษาฮีบรู"},
    "et": {"en": "inglise keeles", "th": "tai keeles", "et": "eesti keeles",
           "zh-TW": "traditsioonilises hiina keeles", "zh-CN": "lihtsustatud hiina keeles",
           "ar": "araabia keeles", "he": "heebrea keeles"},
    "zh-TW": {"en": "英文", "th": "泰文", "et": "愛沙尼亞文", "zh-TW": "繁體中文", "zh-CN": "簡體中文",
              "ar": "阿拉伯文", "he": "希伯來文"},
    "zh-CN": {"en": "英文", "th": "泰文", "et": "爱沙尼亚文", "zh-TW": "繁体中文", "zh-CN": "简体中文",
              "ar": "阿拉伯文", "he": "希伯来文"},
    "ar": {"en": "باللغة الإنجليزية", "th": "باللغة التايلاندية", "et": "باللغة الإستونية",
           "zh-TW": "باللغة الصينية التقليدية", "zh-CN": "باللغة الصينية المبسطة",
           "ar": "باللغة العربية", "he": "باللغة العبرية"},
    "he": {"en": "באנגלית", "th": "בתאית", "et": "באסטונית", "zh-TW": "בסינית מסורתית",
           "zh-CN": "בסינית מפושטת", "ar": "בערבית", "he": "בעברית"},
}

# Thai wording uses the polite particle ค่ะ/คะ throughout, like the rest of the Thai help center.
MESSAGES = {
    "only_in": {
        "en": "This article is only available in {language}.",
        "th": "บทความนี้มีเฉพาะ{language}เท่านั้น",
        "et": "See artikkel on saadaval ainult {language}.",
        "zh-TW": "這篇文章目前只有{language}版本。",
        "zh-CN": "这篇文章目前只有{language}版本。",
        "ar": "هذه المقالة متوفرة {language} فقط.",
        "he": "המאמר הזה זמין רק {language}.",
    },
    "did_you_mean": {
        "en": "Did you mean one of these?",
        "th": "คุณหมายถึงเรื่องเหล่านี้หรือเปล่า",
        "et": "Kas mõtlesite mõnda neist?",
        "zh-TW": "您是想問以下哪一個問題嗎？",
        "zh-CN": "您是想问以下哪个问题吗？",
        "ar": "هل تقصد أحد هذه الأسئلة؟",
        "he": "האם התכוונת לאחת מהשאלות האלה?",
    },
    "handoff": {
        "en": "I'm not sure I can answer that correctly, so I'm passing it to a person on our team.",
        "th": "ขออภัย ระบบไม่แน่ใจว่าจะตอบได้ถูกต้อง จึงส่งคำถามต่อให้เจ้าหน้าที่ดูแลค่ะ",
        "et": "Ma pole kindel, et oskan sellele õigesti vastata, seega suunan küsimuse meie "
              "meeskonna inimesele.",
        "zh-TW": "這個問題我沒有把握回答正確，已為您轉接真人客服。",
        "zh-CN": "这个问题我没有把握回答正确，已为您转接人工客服。",
        "ar": "لست متأكدًا من أنني أستطيع الإجابة عن ذلك بشكل صحيح، لذا سأحيل سؤالك إلى أحد أعضاء "
              "فريقنا.",
        "he": "אני לא בטוח שאוכל לענות על זה נכון, ולכן אני מעביר את השאלה לאחד מאנשי הצוות שלנו.",
    },
    "human_requested": {
        "en": "Of course — I'm connecting you with a person from our team.",
        "th": "ได้เลยค่ะ กำลังส่งต่อให้เจ้าหน้าที่ของเราดูแลคุณนะคะ",
        "et": "Muidugi — ühendan teid meie meeskonna inimesega.",
        "zh-TW": "沒問題，正在為您轉接我們的真人客服。",
        "zh-CN": "好的，正在为您转接人工客服。",
        "ar": "بالتأكيد — سأوصلك الآن بأحد أعضاء فريقنا.",
        "he": "בשמחה — אני מחבר אותך לאחד מאנשי הצוות שלנו.",
    },
    "unhelpful": {
        "en": "Sorry that didn't help. I'm passing your question to a person on our team.",
        "th": "ขออภัยที่คำตอบยังไม่ช่วยแก้ปัญหาค่ะ กำลังส่งคำถามของคุณต่อให้เจ้าหน้าที่ดูแลนะคะ",
        "et": "Vabandust, et see ei aidanud. Edastan teie küsimuse meie meeskonna inimesele.",
        "zh-TW": "很抱歉沒能幫上忙，我會把您的問題轉給我們的客服人員。",
        "zh-CN": "很抱歉没能帮到您，我会把您的问题转给我们的客服人员。",
        "ar": "نأسف لأن ذلك لم يكن مفيدًا. سأحيل سؤالك إلى أحد أعضاء فريقنا.",
        "he": "מצטערים שזה לא עזר. אני מעביר את השאלה שלך לאחד מאנשי הצוות שלנו.",
    },
    "sensitive": {
        "en": "This is something a person on our team should handle, so I'm passing it on.",
        "th": "เรื่องนี้ควรให้เจ้าหน้าที่ดูแลโดยตรง จึงขอส่งต่อให้เจ้าหน้าที่นะคะ",
        "et": "Sellega peaks tegelema meie meeskonna inimene, seega edastan küsimuse talle.",
        "zh-TW": "這個問題需要由我們的客服人員親自處理，我已為您轉交。",
        "zh-CN": "这个问题需要由我们的客服人员亲自处理，我已为您转交。",
        "ar": "هذا الأمر يجب أن يتولاه أحد أعضاء فريقنا، لذا سأحيله إليهم.",
        "he": "בנושא הזה צריך לטפל אחד מאנשי הצוות שלנו, ולכן אני מעביר אותו הלאה.",
    },
    "with_agent": {
        "en": "Your conversation is with our support team now; a person will reply here.",
        "th": "ตอนนี้ทีมบริการลูกค้าเป็นผู้ดูแลการสนทนานี้แล้วค่ะ เจ้าหน้าที่จะตอบกลับในแชตนี้",
        "et": "Teie vestlust jätkab nüüd meie klienditugi; inimene vastab teile siinsamas.",
        "zh-TW": "現在由我們的客服團隊為您服務，客服人員會在這裡回覆您。",
        "zh-CN": "现在由我们的客服团队为您服务，客服人员会在这里回复您。",
        "ar": "محادثتك الآن مع فريق الدعم لدينا؛ وسيرد عليك أحد الموظفين هنا.",
        "he": "השיחה שלך מתנהלת עכשיו מול צוות התמיכה שלנו; נציג יענה לך כאן.",
    },
    "handed_back": {
        "en": "You're chatting with the assistant again.",
        "th": "ตอนนี้คุณกลับมาคุยกับผู้ช่วยอัตโนมัติอีกครั้งแล้วค่ะ",
        "et": "Vestlete taas virtuaalassistendiga.",
        "zh-TW": "您現在再次與智慧助理對話。",
        "zh-CN": "您现在再次与智能助手对话。",
        "ar": "أنت تتحدث مع المساعد الآلي مرة أخرى.",
        "he": "חזרת לשוחח עם העוזר הווירטואלי.",
    },
    # --- e-mail follow-ups of agent replies the customer has not seen (bot/followup.py) ---
    "followup_subject": {
        "en": "A reply from our support team",
        "th": "ทีมงานตอบกลับคำถามของคุณแล้วค่ะ",
        "et": "Meie klienditoe vastus",
        "zh-TW": "客服團隊已回覆您",
        "zh-CN": "客服团队已回复您",
        "ar": "رد من فريق الدعم لدينا",
        "he": "תשובה מצוות התמיכה שלנו",
    },
    "followup_body": {
        "en": "{agent} from our team replied:\n\n{text}\n\nTo continue the conversation, open this link: "
              "{link}\nReplies to this email do not reach us; please answer in the chat.",
        "th": "{agent} จากทีมงานตอบกลับแล้วค่ะ:\n\n{text}\n\nหากต้องการคุยต่อ กรุณาเปิดลิงก์นี้: {link}\n"
              "การตอบกลับอีเมลฉบับนี้จะไม่ถึงทีมงาน กรุณาตอบในแชตค่ะ",
        "et": "{agent} meie meeskonnast vastas:\n\n{text}\n\nVestluse jätkamiseks avage see link: {link}\n"
              "Sellele kirjale vastamine meieni ei jõua, palun vastake vestluses.",
        "zh-TW": "{agent}（客服團隊）回覆了您：\n\n{text}\n\n如要繼續對話，請開啟此連結：{link}\n"
                 "回覆這封郵件將無法送達我們，請在對話視窗中回覆。",
        "zh-CN": "{agent}（客服团队）回复了您：\n\n{text}\n\n如需继续对话，请打开此链接：{link}\n"
                 "回复这封邮件将无法送达我们，请在对话窗口中回复。",
        "ar": "رد {agent} من فريقنا:\n\n{text}\n\nلمتابعة المحادثة، افتح هذا الرابط: {link}\n"
              "الردود على هذه الرسالة لا تصل إلينا؛ يُرجى الرد في المحادثة.",
        "he": "{agent} מהצוות שלנו השיב/ה:\n\n{text}\n\nכדי להמשיך את השיחה, פתחו את הקישור: {link}\n"
              "תשובות למייל הזה לא מגיעות אלינו; נא להשיב בצ'אט.",
    },
    "form_received": {
        "en": "Thanks! Our team has your request.",
        "th": "ขอบคุณค่ะ ทีมงานได้รับคำขอของคุณแล้ว",
        "et": "Aitäh! Meie meeskond sai teie pöördumise kätte.",
        "zh-TW": "謝謝！我們的團隊已收到您的需求。",
        "zh-CN": "谢谢！我们的团队已收到您的请求。",
        "ar": "شكرًا لك! لقد تلقى فريقنا طلبك.",
        "he": "תודה! הצוות שלנו קיבל את הפנייה שלך.",
    },
    # {when}: a localized date and time in the queue's time zone (bot.routing.reply_notice).
    "reply_by": {
        "en": "A person will reply by {when}.",
        "th": "เจ้าหน้าที่จะตอบกลับภายใน{when} ค่ะ",
        "et": "Meie meeskonna inimene vastab teile. Eeldatav vastuse aeg: {when}.",
        "zh-TW": "客服人員將於{when}前回覆您。",
        "zh-CN": "客服人员将在{when}前回复您。",
        "ar": "سيرد عليك أحد أعضاء فريقنا بحلول {when}.",
        "he": "נציג יענה לך עד {when}.",
    },
    "out_of_hours": {
        "en": "Our team is offline right now. A person will reply by {when}.",
        "th": "ขณะนี้อยู่นอกเวลาทำการของทีมงานค่ะ เจ้าหน้าที่จะตอบกลับภายใน{when}",
        "et": "Meie meeskond ei ole praegu tööl. Inimene vastab teile; eeldatav vastuse aeg: {when}.",
        "zh-TW": "目前是非服務時間。客服人員將於{when}前回覆您。",
        "zh-CN": "现在是非工作时间。客服人员将在{when}前回复您。",
        "ar": "فريقنا غير متصل حاليًا. سيرد عليك أحد أعضاء فريقنا بحلول {when}.",
        "he": "הצוות שלנו אינו זמין כרגע. נציג יענה לך עד {when}.",
    },
    # When the queue's hours never open again (no date to promise).
    "reply_soon": {
        "en": "A person will reply as soon as they can.",
        "th": "เจ้าหน้าที่จะตอบกลับโดยเร็วที่สุดค่ะ",
        "et": "Meie meeskonna inimene vastab teile esimesel võimalusel.",
        "zh-TW": "客服人員會盡快回覆您。",
        "zh-CN": "客服人员会尽快回复您。",
        "ar": "سيرد عليك أحد أعضاء فريقنا في أقرب وقت ممكن.",
        "he": "נציג יענה לך בהקדם האפשרי.",
    },
    "out_of_hours_soon": {
        "en": "Our team is offline right now. A person will reply as soon as they can.",
        "th": "ขณะนี้อยู่นอกเวลาทำการของทีมงานค่ะ เจ้าหน้าที่จะตอบกลับโดยเร็วที่สุด",
        "et": "Meie meeskond ei ole praegu tööl. Inimene vastab teile esimesel võimalusel.",
        "zh-TW": "目前是非服務時間，客服人員會盡快回覆您。",
        "zh-CN": "现在是非工作时间，客服人员会尽快回复您。",
        "ar": "فريقنا غير متصل حاليًا. سيرد عليك أحد أعضاء فريقنا في أقرب وقت ممكن.",
        "he": "הצוות שלנו אינו זמין כרגע. נציג יענה לך בהקדם האפשרי.",
    },
    # --- the chat widget ---
    "ui.launcher_label": {
        "en": "Open help chat", "th": "เปิดแชตช่วยเหลือ", "et": "Ava abivestlus",
        "zh-TW": "開啟客服對話", "zh-CN": "打开客服对话", "ar": "فتح محادثة المساعدة",
        "he": "פתיחת צ'אט עזרה",
    },
    "ui.title": {
        "en": "Help", "th": "ศูนย์ช่วยเหลือ", "et": "Abi", "zh-TW": "線上協助", "zh-CN": "在线帮助",
        "ar": "المساعدة", "he": "עזרה",
    },
    "ui.close": {
        "en": "Close chat", "th": "ปิดแชต", "et": "Sulge vestlus", "zh-TW": "關閉對話",
        "zh-CN": "关闭对话", "ar": "إغلاق المحادثة", "he": "סגירת הצ'אט",
    },
    "ui.greeting": {
        "en": "Hi! How can I help you today?",
        "th": "สวัสดีค่ะ วันนี้มีอะไรให้ช่วยไหมคะ",
        "et": "Tere! Kuidas saan teid täna aidata?",
        "zh-TW": "您好！請問今天有什麼可以幫您的嗎？",
        "zh-CN": "您好！请问今天有什么可以帮您？",
        "ar": "مرحبًا! كيف يمكنني مساعدتك اليوم؟",
        "he": "שלום! איך אפשר לעזור היום?",
    },
    "ui.input_label": {
        "en": "Your question", "th": "คำถามของคุณ", "et": "Teie küsimus", "zh-TW": "您的問題",
        "zh-CN": "您的问题", "ar": "سؤالك", "he": "השאלה שלך",
    },
    "ui.placeholder": {
        "en": "Type your question…", "th": "พิมพ์คำถามของคุณ…", "et": "Kirjutage oma küsimus…",
        "zh-TW": "請輸入您的問題…", "zh-CN": "请输入您的问题…", "ar": "اكتب سؤالك…",
        "he": "כתבו את השאלה שלכם…",
    },
    "ui.send": {
        "en": "Send", "th": "ส่ง", "et": "Saada", "zh-TW": "送出", "zh-CN": "发送", "ar": "إرسال",
        "he": "שליחה",
    },
    "ui.popular": {
        "en": "Popular questions", "th": "คำถามยอดนิยม", "et": "Populaarsed küsimused",
        "zh-TW": "熱門問題", "zh-CN": "热门问题", "ar": "الأسئلة الشائعة", "he": "שאלות נפוצות",
    },
    "ui.typing": {
        "en": "Typing…", "th": "กำลังพิมพ์…", "et": "Kirjutab…", "zh-TW": "正在輸入…",
        "zh-CN": "正在输入…", "ar": "يكتب الآن…", "he": "מקליד…",
    },
    "ui.read_more": {
        "en": "Read the full article", "th": "อ่านบทความฉบับเต็ม", "et": "Loe kogu artiklit",
        "zh-TW": "閱讀完整文章", "zh-CN": "阅读全文", "ar": "اقرأ المقالة كاملة",
        "he": "לקריאת המאמר המלא",
    },
    "ui.helpful_q": {
        "en": "Was this helpful?", "th": "ข้อมูลนี้มีประโยชน์ไหมคะ", "et": "Kas sellest oli abi?",
        "zh-TW": "這個回答有幫助嗎？", "zh-CN": "这个回答对您有帮助吗？", "ar": "هل كان هذا مفيدًا؟",
        "he": "האם זה עזר לך?",
    },
    "ui.yes": {
        "en": "Yes", "th": "ใช่", "et": "Jah", "zh-TW": "有幫助", "zh-CN": "有帮助", "ar": "نعم",
        "he": "כן",
    },
    "ui.no": {
        "en": "No", "th": "ไม่ใช่", "et": "Ei", "zh-TW": "沒有幫助", "zh-CN": "没有帮助", "ar": "لا",
        "he": "לא",
    },
    "ui.thanks_feedback": {
        "en": "Thanks for your feedback!", "th": "ขอบคุณสำหรับความคิดเห็นค่ะ",
        "et": "Aitäh tagasiside eest!", "zh-TW": "感謝您的回饋！", "zh-CN": "感谢您的反馈！",
        "ar": "شكرًا على ملاحظاتك!", "he": "תודה על המשוב!",
    },
    "ui.talk_to_person": {
        "en": "Talk to a person", "th": "คุยกับเจ้าหน้าที่", "et": "Räägi inimesega",
        "zh-TW": "聯絡真人客服", "zh-CN": "联系人工客服", "ar": "التحدث إلى موظف",
        "he": "שיחה עם נציג",
    },
    "ui.form_title": {
        "en": "Leave your details and a person will get back to you",
        "th": "ฝากข้อมูลติดต่อไว้ แล้วเจ้าหน้าที่จะติดต่อกลับค่ะ",
        "et": "Jätke oma kontaktandmed ja meie meeskonna inimene võtab teiega ühendust",
        "zh-TW": "請留下您的聯絡資料，我們的客服人員會再與您聯繫",
        "zh-CN": "请留下您的联系方式，我们的客服人员会尽快与您联系",
        "ar": "اترك بياناتك وسيتواصل معك أحد أعضاء فريقنا",
        "he": "השאירו פרטים ונציג מהצוות שלנו יחזור אליכם",
    },
    "ui.name": {
        "en": "Name", "th": "ชื่อ", "et": "Nimi", "zh-TW": "姓名", "zh-CN": "姓名", "ar": "الاسم",
        "he": "שם",
    },
    "ui.email": {
        "en": "Email", "th": "อีเมล", "et": "E-post", "zh-TW": "電子郵件", "zh-CN": "电子邮箱",
        "ar": "البريد الإلكتروني", "he": "אימייל",
    },
    "ui.message": {
        "en": "Message", "th": "ข้อความ", "et": "Sõnum", "zh-TW": "訊息", "zh-CN": "留言",
        "ar": "الرسالة", "he": "הודעה",
    },
    "ui.submit": {
        "en": "Send to our team", "th": "ส่งถึงทีมงาน", "et": "Saada meie meeskonnale",
        "zh-TW": "送出給客服團隊", "zh-CN": "提交给客服团队", "ar": "إرسال إلى فريقنا",
        "he": "שליחה לצוות שלנו",
    },
    "ui.cancel": {
        "en": "Cancel", "th": "ยกเลิก", "et": "Tühista", "zh-TW": "取消", "zh-CN": "取消",
        "ar": "إلغاء", "he": "ביטול",
    },
    "ui.form_sent": {
        "en": "Thanks — our team has your request.",
        "th": "ขอบคุณค่ะ ทีมงานได้รับคำขอของคุณเรียบร้อยแล้ว",
        "et": "Aitäh — meie meeskond sai teie pöördumise kätte.",
        "zh-TW": "謝謝，我們的團隊已收到您的需求。",
        "zh-CN": "谢谢，我们的团队已收到您的请求。",
        "ar": "شكرًا — لقد تلقى فريقنا طلبك.",
        "he": "תודה — הצוות שלנו קיבל את הפנייה שלך.",
    },
    "ui.error": {
        "en": "Something went wrong. Please try again.",
        "th": "เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้งค่ะ",
        "et": "Midagi läks valesti. Palun proovige uuesti.",
        "zh-TW": "發生錯誤，請再試一次。",
        "zh-CN": "出错了，请稍后重试。",
        "ar": "حدث خطأ ما. يُرجى المحاولة مرة أخرى.",
        "he": "משהו השתבש. נסו שוב.",
    },
    "ui.email_invalid": {
        "en": "Please enter a valid email address.",
        "th": "กรุณากรอกอีเมลให้ถูกต้องค่ะ",
        "et": "Palun sisestage kehtiv e-posti aadress.",
        "zh-TW": "請輸入有效的電子郵件地址。",
        "zh-CN": "请输入有效的电子邮箱地址。",
        "ar": "يُرجى إدخال عنوان بريد إلكتروني صالح.",
        "he": "יש להזין כתובת אימייל תקינה.",
    },
    "ui.you": {
        "en": "You", "th": "คุณ", "et": "Teie", "zh-TW": "您", "zh-CN": "您", "ar": "أنت",
        "he": "את/ה",
    },
    "ui.bot": {
        "en": "Assistant", "th": "ผู้ช่วยอัตโนมัติ", "et": "Assistent", "zh-TW": "智慧助理",
        "zh-CN": "智能助手", "ar": "المساعد", "he": "העוזר הווירטואלי",
    },
    "ui.agent": {
        "en": "Support agent", "th": "เจ้าหน้าที่", "et": "Klienditeenindaja", "zh-TW": "客服人員",
        "zh-CN": "客服人员", "ar": "موظف الدعم", "he": "נציג תמיכה",
    },
    "ui.did_you_mean": {
        "en": "Did you mean:", "th": "คุณหมายถึง:", "et": "Kas mõtlesite:",
        "zh-TW": "您是不是要找：", "zh-CN": "您是不是想找：", "ar": "هل تقصد:",
        "he": "האם התכוונת ל:",
    },
}

MESSAGES.update(CONVERSATION)  # small talk, offers and the conversation widget (bot/talk_messages.py)
# The widget says when a person will reply in the browser's time zone, with the server's sentences.
MESSAGES.update({"ui.reply_by": MESSAGES["reply_by"], "ui.out_of_hours": MESSAGES["out_of_hours"]})


def catalog_languages() -> list[str]:
    """Every language the catalog is fully translated into, English first."""
    return list(_CATALOG)


def _pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(base_lang(lang)) or texts["en"]


def pick_text(texts: dict[str, str], lang: str) -> str:
    """The text for `lang` among `texts` (by language), else its base language's, else English."""
    return _pick(texts, lang)


def message(key: str, lang: str, **values: str) -> str:
    """A catalog message in `lang` (or its base language, or English), with values filled in."""
    texts = MESSAGES.get(key)
    if texts is None:
        raise ValueError(f"unknown message key {key!r}")
    return _pick(texts, lang).format(**values)


def ui_strings(lang: str) -> dict[str, str]:
    """The widget's labels in `lang`, keyed without the "ui." prefix; English where untranslated."""
    return {key[3:]: _pick(texts, lang) for key, texts in MESSAGES.items() if key.startswith("ui.")}


def language_name(lang: str, in_lang: str) -> str:
    names = LANGUAGE_NAMES.get(in_lang) or LANGUAGE_NAMES.get(base_lang(in_lang)) or LANGUAGE_NAMES["en"]
    return names.get(lang, lang)


def text_direction(lang: str) -> str:
    """Text direction of `lang`: "rtl" for Arabic, Hebrew and other right-to-left scripts."""
    return "rtl" if base_lang(lang) in _RTL else "ltr"


def join_messages(lang: str, *parts: str) -> str:
    """Sentences joined the way `lang` writes them: Chinese and Japanese put no space between."""
    sep = "" if base_lang(lang) in _NO_SPACE else " "
    return sep.join(p for p in parts if p)


def placeholders(text: str) -> set[str]:
    """The {names} a catalog text fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
