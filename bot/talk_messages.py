"""Catalog messages of conversations: replies to small talk, offers of a person, and the widget's
labels for choices, ratings and the in-panel article (merged into bot.messages.MESSAGES)."""

from __future__ import annotations

CONVERSATION: dict[str, dict[str, str]] = {
    "talk.greeting": {
        "en": "Hi! What can I help you with? Ask in your own words, or pick a popular topic.",
        "th": "สวัสดีค่ะ มีอะไรให้ช่วยไหมคะ พิมพ์คำถามได้เลย หรือเลือกหัวข้อยอดนิยมด้านล่างค่ะ",
        "et": "Tere! Kuidas saan aidata? Kirjutage küsimus oma sõnadega või valige populaarne teema.",
        "zh-TW": "您好！有什麼可以幫您？請直接輸入問題，或選擇下方的熱門主題。",
        "zh-CN": "您好！有什么可以帮您？请直接输入问题，或选择下方的热门主题。",
        "ar": "مرحبًا! كيف يمكنني مساعدتك؟ اكتب سؤالك بكلماتك أو اختر موضوعًا شائعًا.",
        "he": "שלום! במה אפשר לעזור? כתבו את השאלה במילים שלכם או בחרו נושא נפוץ.",
    },
    "talk.thanks": {
        "en": "You're welcome! Is there anything else I can help with?",
        "th": "ยินดีค่ะ มีอะไรให้ช่วยอีกไหมคะ",
        "et": "Palun väga! Kas saan veel millegagi aidata?",
        "zh-TW": "不客氣！還有其他可以幫您的嗎？",
        "zh-CN": "不客气！还有其他可以帮您的吗？",
        "ar": "على الرحب والسعة! هل هناك شيء آخر يمكنني مساعدتك به؟",
        "he": "בשמחה! יש עוד משהו שאפשר לעזור בו?",
    },
    "talk.goodbye": {
        "en": "Thanks for stopping by. Goodbye!",
        "th": "ขอบคุณที่แวะมานะคะ แล้วพบกันใหม่ค่ะ",
        "et": "Aitäh, et läbi astusite. Head aega!",
        "zh-TW": "感謝您的來訪，再見！",
        "zh-CN": "感谢您的来访，再见！",
        "ar": "شكرًا لزيارتك. إلى اللقاء!",
        "he": "תודה שפניתם. להתראות!",
    },
    "talk.acknowledged": {
        "en": "Is there anything else I can help with? Just type your question.",
        "th": "มีอะไรให้ช่วยอีกไหมคะ พิมพ์คำถามได้เลยค่ะ",
        "et": "Kas saan veel millegagi aidata? Kirjutage lihtsalt oma küsimus.",
        "zh-TW": "還有其他需要幫忙的嗎？直接輸入問題即可。",
        "zh-CN": "还有其他需要帮忙的吗？直接输入问题即可。",
        "ar": "هل هناك شيء آخر يمكنني مساعدتك به؟ اكتب سؤالك فقط.",
        "he": "יש עוד משהו שאפשר לעזור בו? פשוט כתבו את השאלה.",
    },
    "talk.help": {
        "en": "I answer questions about orders, delivery, payments, returns and your account. Type "
              "your question in your own words or pick a popular topic; if I can't help, I can put "
              "you in touch with a person.",
        "th": "ฉันตอบคำถามเรื่องคำสั่งซื้อ การจัดส่ง การชำระเงิน การคืนสินค้า และบัญชีได้ค่ะ พิมพ์คำถาม"
              "ได้เลย หรือเลือกหัวข้อยอดนิยม ถ้าตอบไม่ได้ จะติดต่อเจ้าหน้าที่ให้ค่ะ",
        "et": "Vastan küsimustele tellimuste, tarne, maksete, tagastuste ja konto kohta. Kirjutage "
              "küsimus oma sõnadega või valige populaarne teema; kui ma ei oska aidata, viin teid "
              "kokku inimesega.",
        "zh-TW": "我可以回答訂單、配送、付款、退貨和帳戶的問題。請直接輸入問題或選擇熱門主題；"
                 "如果我幫不上忙，可以為您聯絡真人客服。",
        "zh-CN": "我可以回答订单、配送、付款、退货和账户的问题。请直接输入问题或选择热门主题；"
                 "如果我帮不上忙，可以为您联系人工客服。",
        "ar": "أجيب عن الأسئلة المتعلقة بالطلبات والتوصيل والدفع والإرجاع وحسابك. اكتب سؤالك أو "
              "اختر موضوعًا شائعًا؛ وإن لم أستطع المساعدة، يمكنني توصيلك بأحد الموظفين.",
        "he": "אני עונה על שאלות על הזמנות, משלוחים, תשלומים, החזרות והחשבון שלך. כתבו שאלה או "
              "בחרו נושא נפוץ; אם לא אוכל לעזור, אחבר אתכם לנציג.",
    },
    "offer.unknown": {
        "en": "I don't know the answer to that.",
        "th": "ขออภัยค่ะ เรื่องนี้ฉันไม่มีคำตอบ",
        "et": "Ma ei tea sellele vastust.",
        "zh-TW": "這個問題我不知道答案。",
        "zh-CN": "这个问题我不知道答案。",
        "ar": "لا أعرف إجابة هذا السؤال.",
        "he": "אני לא יודע את התשובה לזה.",
    },
    "offer.alternatives": {
        "en": "These articles might help:",
        "th": "บทความเหล่านี้อาจช่วยได้ค่ะ:",
        "et": "Need artiklid võivad aidata:",
        "zh-TW": "這些文章或許有幫助：",
        "zh-CN": "这些文章或许有帮助：",
        "ar": "قد تفيدك هذه المقالات:",
        "he": "אולי המאמרים האלה יעזרו:",
    },
    "offer.person": {
        "en": "Would you like me to pass your question to a person on our team?",
        "th": "ต้องการให้ส่งคำถามต่อให้เจ้าหน้าที่ไหมคะ",
        "et": "Kas soovite, et edastan küsimuse meie meeskonna inimesele?",
        "zh-TW": "需要我把您的問題轉給真人客服嗎？",
        "zh-CN": "需要我把您的问题转给人工客服吗？",
        "ar": "هل تريد أن أحيل سؤالك إلى أحد أعضاء فريقنا؟",
        "he": "תרצו שאעביר את השאלה לנציג מהצוות שלנו?",
    },
    "offer.rule": {
        "en": "A person on our team can help with this best.",
        "th": "เรื่องนี้เจ้าหน้าที่ของเราช่วยได้ดีที่สุดค่ะ",
        "et": "Sellega saab kõige paremini aidata meie meeskonna inimene.",
        "zh-TW": "這個問題由我們的客服人員處理最合適。",
        "zh-CN": "这个问题由我们的客服人员处理最合适。",
        "ar": "يمكن لأحد أعضاء فريقنا المساعدة في هذا على أفضل وجه.",
        "he": "נציג מהצוות שלנו יוכל לעזור בזה בצורה הטובה ביותר.",
    },
    "offer.declined": {
        "en": "All right. I'm here if you want to ask something else.",
        "th": "ได้ค่ะ หากมีคำถามอื่น พิมพ์มาได้เลยนะคะ",
        "et": "Selge. Kui soovite veel midagi küsida, olen siin.",
        "zh-TW": "好的，如有其他問題，歡迎隨時詢問。",
        "zh-CN": "好的，如有其他问题，欢迎随时询问。",
        "ar": "حسنًا. أنا هنا إذا أردت أن تسأل عن شيء آخر.",
        "he": "בסדר. אני כאן אם תרצו לשאול משהו אחר.",
    },
    "offer.withdrawn": {
        "en": "OK, I've cancelled your request for a person. What else can I help with?",
        "th": "ยกเลิกคำขอติดต่อเจ้าหน้าที่แล้วค่ะ มีอะไรให้ช่วยอีกไหมคะ",
        "et": "Selge, tühistasin teie pöördumise inimese poole. Millega veel saan aidata?",
        "zh-TW": "好的，已取消轉接真人客服。還有什麼可以幫您？",
        "zh-CN": "好的，已取消转接人工客服。还有什么可以帮您？",
        "ar": "حسنًا، ألغيت طلبك للتحدث إلى موظف. بماذا يمكنني مساعدتك أيضًا؟",
        "he": "בסדר, ביטלתי את הבקשה לנציג. במה עוד אפשר לעזור?",
    },
    # --- the chat widget ---
    "ui.none_of_these": {
        "en": "None of these", "th": "ไม่ใช่ทั้งหมดนี้", "et": "Mitte ükski neist",
        "zh-TW": "都不是", "zh-CN": "都不是", "ar": "لا شيء مما سبق", "he": "אף אחד מאלה",
    },
    "ui.rephrase": {
        "en": "Could you say it in other words? Or talk to a person.",
        "th": "ลองพิมพ์คำถามด้วยคำอื่นดูนะคะ หรือคุยกับเจ้าหน้าที่",
        "et": "Kas saaksite seda teiste sõnadega öelda? Või rääkige inimesega.",
        "zh-TW": "可以換個說法再問一次嗎？或聯絡真人客服。",
        "zh-CN": "可以换个说法再问一次吗？或联系人工客服。",
        "ar": "هل يمكنك قولها بكلمات أخرى؟ أو تحدث إلى موظف.",
        "he": "אפשר לנסח את זה אחרת? או לדבר עם נציג.",
    },
    "ui.next_best": {
        "en": "Sorry about that. Maybe this one helps:", "th": "ขออภัยค่ะ บทความนี้อาจช่วยได้:",
        "et": "Vabandust. Võib-olla aitab see:", "zh-TW": "抱歉，或許這篇有幫助：",
        "zh-CN": "抱歉，或许这篇有帮助：", "ar": "نأسف لذلك. ربما يفيدك هذا:",
        "he": "מצטערים. אולי זה יעזור:",
    },
    "ui.csat_q": {
        "en": "How would you rate this conversation?", "th": "คุณให้คะแนนการสนทนานี้เท่าไรคะ",
        "et": "Kuidas hindaksite seda vestlust?", "zh-TW": "您會如何評價這次對話？",
        "zh-CN": "您会如何评价这次对话？", "ar": "كيف تقيّم هذه المحادثة؟", "he": "איך הייתם מדרגים את השיחה?",
    },
    "ui.csat_thanks": {
        "en": "Thanks for rating us!", "th": "ขอบคุณสำหรับคะแนนค่ะ", "et": "Aitäh hinnangu eest!",
        "zh-TW": "感謝您的評分！", "zh-CN": "感谢您的评分！", "ar": "شكرًا على تقييمك!",
        "he": "תודה על הדירוג!",
    },
    "ui.dismiss": {
        "en": "Not now", "th": "ไว้ทีหลัง", "et": "Mitte praegu", "zh-TW": "稍後再說",
        "zh-CN": "稍后再说", "ar": "ليس الآن", "he": "לא עכשיו",
    },
    "ui.back": {
        "en": "Back to the chat", "th": "กลับไปที่แชต", "et": "Tagasi vestlusesse", "zh-TW": "返回對話",
        "zh-CN": "返回对话", "ar": "العودة إلى المحادثة", "he": "חזרה לצ'אט",
    },
    "ui.no_thanks": {
        "en": "No, thanks", "th": "ไม่เป็นไรค่ะ", "et": "Ei, aitäh", "zh-TW": "不用了，謝謝",
        "zh-CN": "不用了，谢谢", "ar": "لا، شكرًا", "he": "לא, תודה",
    },
    "ui.withdraw": {
        "en": "Never mind", "th": "ยกเลิก", "et": "Pole vaja", "zh-TW": "算了", "zh-CN": "算了",
        "ar": "لا يهم", "he": "לא משנה",
    },
    "ui.email_later": {
        "en": "Our reply may come after you've left, so leave your email and it will reach you.",
        "th": "เจ้าหน้าที่อาจตอบหลังจากคุณออกจากหน้านี้ไปแล้ว กรุณาฝากอีเมลไว้เพื่อรับคำตอบค่ะ",
        "et": "Vastus võib tulla pärast seda, kui olete lahkunud, seega jätke oma e-post.",
        "zh-TW": "回覆可能在您離開後才送達，請留下電子郵件以便收到回覆。",
        "zh-CN": "回复可能在您离开后才送达，请留下电子邮箱以便收到回复。",
        "ar": "قد يصل ردنا بعد مغادرتك، لذا اترك بريدك الإلكتروني ليصلك.",
        "he": "התשובה עשויה להגיע אחרי שתעזבו, אז השאירו אימייל והיא תגיע אליכם.",
    },
}
