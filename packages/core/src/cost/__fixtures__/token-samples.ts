/**
 * Texts for calibrating and testing the token approximation: the kinds of text Switchboard sends
 * (narration, player chat, JSON state, code) in the languages players write in. Written for this
 * project; after any change, re-measure the figures documented in `estimate-tokens.ts`.
 */
export const tokenSamples = {
  /** English prose from a therapeutic adventure: narration, dialogue, choices and an instruction. */
  english:
    'The lantern in your hand gives off a thin, amber light, just enough to show the worn stone steps that spiral down into the old lighthouse. You can hear the sea breathing below, slow and steady, the way your counsellor once asked you to breathe when the world felt too loud. Mara, the keeper, waits at the bottom with a cup of something warm. "You came back," she says, and there is no reproach in it, only relief. "Most people don\'t, the first time the storm gets inside their head."\n\nYou set the lantern on the table between you. The wood is scarred with years of knife marks and candle wax, and someone has carved a small, lopsided heart near the edge. Mara notices you looking at it. "My daughter did that," she says. "She was nine. She said the table looked lonely." For a moment neither of you speaks. Outside, the wind rattles the shutters, testing them, and then gives up.\n\n"I don\'t know why I keep coming here," you admit. It feels strange to say it out loud, as if the words had been waiting behind your teeth for weeks. Mara nods slowly. She doesn\'t rush to fill the silence, and you are grateful for that. When she finally answers, her voice is quiet: "Maybe because it\'s the one place where nobody expects you to be fine."\n\nChoices:\n1. Tell Mara about the dream you keep having, the one with the flooded house.\n2. Ask her what happened to her daughter.\n3. Pick up the lantern and climb to the top of the tower to watch the storm.\n4. Stay silent and drink the tea, letting the warmth settle in your hands.\n\nThe player chose option one. Write the next scene with care: acknowledge what they shared without judging it, keep the tone gentle and grounded, and leave room for them to decide how much more to say. Avoid clinical language, avoid promising that everything will be all right, and never diagnose. If the player mentions wanting to hurt themselves, step outside the story, respond with warmth, and offer the support resources configured for their region.',
  /** A player chatting in lower case with typos, punctuation and an emoticon. */
  dialogue:
    "Player: i dont really want to talk about it\nNarrator: That's okay. We can sit here for a while. The fire is warm and there's no hurry.\nPlayer: it's just that everything feels heavy lately. like, even getting up is hard??\nNarrator: Thank you for telling me that. It sounds exhausting to carry that much every day. What's one small thing that felt a little lighter this week, even for a minute?\nPlayer: idk... my cat sat on my lap yesterday. that was nice I guess :)\nNarrator: Cats have a way of choosing exactly the right moment. What's your cat's name?",
  /** Pretty-printed game state, as tool results and structured prompts carry it. */
  json: '{\n  "scene": "lighthouse",\n  "npc": {\n    "name": "Mara",\n    "mood": "calm",\n    "trust": 0.62\n  },\n  "choices": [\n    {\n      "id": "c1",\n      "text": "Tell Mara about the dream",\n      "tags": [\n        "disclosure",\n        "vulnerable"\n      ]\n    },\n    {\n      "id": "c2",\n      "text": "Ask about her daughter",\n      "tags": [\n        "curiosity"\n      ]\n    }\n  ],\n  "flags": {\n    "stormActive": true,\n    "visitCount": 3\n  }\n}',
  /** TypeScript source. */
  code: 'export function settle(budget: Budget, reservedMicros: number, actualMicros: number): Budget {\n  const reserved = Math.max(0, budget.reservedMicros - reservedMicros);\n  return { ...budget, reservedMicros: reserved, spentMicros: budget.spentMicros + actualMicros };\n}',
  /** French prose. */
  french:
    "La lanterne dans ta main projette une lumière ambrée, juste assez pour éclairer les marches usées qui descendent en spirale dans le vieux phare. Tu entends la mer respirer en contrebas, lentement, comme ta conseillère t'avait appris à respirer quand le monde devenait trop bruyant. Mara, la gardienne, t'attend en bas avec une tasse de quelque chose de chaud. « Tu es revenu », dit-elle, sans reproche, seulement avec soulagement.",
  /** German prose. */
  german:
    'Die Laterne in deiner Hand wirft ein dünnes, bernsteinfarbenes Licht, gerade genug, um die ausgetretenen Steinstufen zu zeigen, die sich in den alten Leuchtturm hinabwinden. Du hörst das Meer unten atmen, langsam und gleichmäßig, so wie deine Beraterin dich einmal gebeten hat zu atmen, wenn die Welt zu laut wurde. Mara, die Wärterin, wartet unten mit einer Tasse von etwas Warmem.',
  /** Spanish prose. */
  spanish:
    'La linterna en tu mano da una luz delgada y ámbar, apenas suficiente para mostrar los escalones de piedra gastados que bajan en espiral hacia el viejo faro. Oyes el mar respirar abajo, lento y constante, como tu consejera te pidió una vez que respiraras cuando el mundo se sentía demasiado ruidoso. Mara, la guardiana, espera abajo con una taza de algo caliente.',
  /** Russian prose (Cyrillic). */
  russian:
    'Фонарь в твоей руке даёт тонкий янтарный свет, которого едва хватает, чтобы осветить стёртые каменные ступени, спиралью уходящие вниз, в старый маяк. Ты слышишь, как внизу дышит море, медленно и ровно, так, как когда-то просила тебя дышать твоя консультантка, когда мир казался слишком громким. Мара, смотрительница, ждёт внизу с чашкой чего-то тёплого.',
  /** Simplified Chinese prose. */
  chinese:
    '你手中的灯笼发出微弱的琥珀色光芒，刚好照亮通往旧灯塔的、磨损的石阶。你听见下面的大海在呼吸，缓慢而平稳，就像你的咨询师曾经让你在世界太吵闹时那样呼吸。守塔人玛拉在下面等着你，手里拿着一杯热饮。“你回来了，”她说，语气里没有责备，只有释然。',
  /** Japanese prose. */
  japanese:
    '手に持ったランタンが細い琥珀色の光を放ち、古い灯台へと螺旋状に下りていくすり減った石段をかろうじて照らしている。下から海の呼吸が聞こえる。ゆっくりと、一定のリズムで。世界がうるさすぎると感じたとき、カウンセラーがそう呼吸するようにと教えてくれたように。灯台守のマラが、温かい飲み物を手に下で待っている。',
  /** Chat with emoji. */
  emoji: 'I feel 😔 today but the cat 🐈 helped a bit ❤️ ... maybe tomorrow will be better 🌅🙏 #hope',
} as const;

/** The name of one sample. */
export type TokenSampleName = keyof typeof tokenSamples;
