/**
 * The labelled corpus for the extractor (npm run eval:extract). Written BEFORE the extractor was
 * tuned; labels are never edited to match its output.
 *
 * Each document: the text as pasted, the agreement's signing date and parties (what the API gets
 * from `agreement`, `signed_on`, `parties`), and
 *   gold:        the commitments a careful person would record: the quote (verbatim, a substring of
 *                the text), who carries it out, the words stating the deadline and the due date
 *                it resolves to from signed_on (null when it cannot: an event anchor, or none);
 *   optional:    sentences a reviewer could fairly take or leave (a restatement of a gold item, a
 *                plan too vague to track): a draft on one counts neither way;
 *   distractors: sentences that must NOT become drafts (past events, descriptions, opinions).
 *
 * Deadline readings used by the labels (the README's "Drafts from a statement" lists them):
 *   within / over the next / in the coming N units  → signed_on + N units
 *   within N days of/after <event>                  → due null (no such anchor yet)
 *   by / no later than <date>                       → that date; before <date> → the day before
 *   by the end of <month year> / in <month year>    → the last day of that month
 *   by the end of the year / this year / next year  → 31 December of signed_on's year (+1)
 *   by the end of the quarter                       → the last day of signed_on's quarter
 *   in the Nth quarter / half of <year>             → the last day of that quarter / half
 *   by <year>                                       → 31 December of that year
 */
import { readFileSync } from "node:fs";

const seed = readFileSync(new URL("./seed.txt", import.meta.url), "utf8");

export const corpus = [
  {
    id: "seed-az-us-visit",
    style: "ministry read-out (news agency), past events mixed with plans",
    signed_on: "2025-08-08",
    parties: ["Azerbaijan", "United States", "Armenia"],
    text: seed,
    gold: [
      {
        quote:
          "According to the Memorandum of Understanding, it is planned to establish a Strategic Working Group between the two countries over the next 6 months to prepare a Charter of Strategic Partnership that will help strengthen strategic partnership in areas of mutual interest.",
        parties: ["Azerbaijan", "United States"],
        deadline_phrase: "over the next 6 months",
        due_on: "2026-02-08",
      },
      {
        quote:
          "Within the framework of the provision on initialing the draft \"Agreement on the Establishment of Peace and Interstate Relations between the Republic of Azerbaijan and the Republic of Armenia\", it was determined that additional measures should be taken to sign and ratify the Agreement.",
        parties: ["Azerbaijan", "Armenia"],
        deadline_phrase: null,
        due_on: null,
      },
      {
        quote:
          "In this context, the Azerbaijani side expects amendments to the Armenian Constitution to sign the Agreement and eliminate territorial claims against Azerbaijan.",
        parties: ["Armenia"],
        deadline_phrase: null,
        due_on: null,
      },
      {
        quote: "Another important provision of the Joint Declaration is the provision on opening transport links between the two countries.",
        parties: ["Azerbaijan", "Armenia"],
        deadline_phrase: null,
        due_on: null,
      },
      {
        quote:
          "The document also states that a special communications project will be implemented on the territory of Armenia –“Trump's route for international peace and prosperity”.",
        parties: ["United States", "Armenia"],
        deadline_phrase: null,
        due_on: null,
      },
      {
        quote:
          "The joint appeal to the OSCE Chairman-in-Office to shut down the OSCE Minsk Process and related structures is another important step toward removing one of the most serious obstacles to peace and normalization, which has been on Azerbaijan's agenda since 2020.",
        parties: ["Azerbaijan", "Armenia"],
        deadline_phrase: null,
        due_on: null,
      },
      {
        quote:
          "The document defines potential areas of cooperation aimed at strengthening existing positive relations between the companies and assessing oil and gas production opportunities in the Republic of Azerbaijan, both in unconventional and conventional sources.",
        parties: ["SOCAR", "ExxonMobil"],
        deadline_phrase: null,
        due_on: null,
      },
    ],
    optional: [
      "Within the framework of the Strategic Working Group, it is planned to give priority attention to such areas as regional relations, including energy, trade, and transit; economic investments, including artificial intelligence and digital infrastructure; as well as defense, security, and the fight against terrorism.",
      "It emphasizes the need to ensure unhindered communication between the main part of Azerbaijan and the Nakhchivan Autonomous Republic as part of opening communications in the region.",
      "This provision provides for the implementation by the United States of a project to ensure unhindered communication between the main part of Azerbaijan and the Nakhchivan Autonomous Republic through the territory of Armenia.",
    ],
    distractors: [
      "During the visit, a summit of the leaders of Azerbaijan, the United States, and Armenia was held, following which the leaders of Azerbaijan and Armenia, as well as the President of the United States, signed a Joint Declaration as a witness.",
      "The suspension by the US president during his meeting with President Ilham Aliyev of Amendment 907, which is a negative legacy of the past in relations between Azerbaijan and the US, has important symbolic significance.",
      "This is of particular importance in terms of creating an institutional framework for bilateral practical cooperation.",
      "It was noted that the signing of the Joint Declaration following the Washington meeting confirmed the peace agenda put forward by Azerbaijan.",
    ],
  },
  {
    id: "bilateral-ports",
    style: "bilateral joint statement",
    signed_on: "2026-03-12",
    parties: ["Portugal", "Morocco"],
    text: `Joint Statement of the Republic of Portugal and the Kingdom of Morocco

Lisbon, 12 March 2026. The Prime Minister of Portugal and the Head of Government of Morocco met in Lisbon today for the fourth high-level meeting between the two countries. The talks were held in a warm and friendly atmosphere.

The two sides welcomed the growth of bilateral trade, which exceeded four billion euros last year. They recalled the agreement on cultural cooperation signed in 2019.

The two governments will open a direct ferry line between Sines and Tangier within 18 months. Portugal and Morocco will establish a joint committee on renewable energy by 30 June 2026. The ministries of health of both countries shall sign a protocol on the mutual recognition of medical qualifications by the end of the year.

Morocco will host the next high-level meeting in the first half of 2027. Both sides agreed to hold annual consultations between their foreign ministries.

The leaders expressed their satisfaction with the results of the meeting.`,
    gold: [
      { quote: "The two governments will open a direct ferry line between Sines and Tangier within 18 months.", parties: ["Portugal", "Morocco"], deadline_phrase: "within 18 months", due_on: "2027-09-12" },
      { quote: "Portugal and Morocco will establish a joint committee on renewable energy by 30 June 2026.", parties: ["Portugal", "Morocco"], deadline_phrase: "by 30 June 2026", due_on: "2026-06-30" },
      { quote: "The ministries of health of both countries shall sign a protocol on the mutual recognition of medical qualifications by the end of the year.", parties: ["Portugal", "Morocco"], deadline_phrase: "by the end of the year", due_on: "2026-12-31" },
      { quote: "Morocco will host the next high-level meeting in the first half of 2027.", parties: ["Morocco"], deadline_phrase: "in the first half of 2027", due_on: "2027-06-30" },
      { quote: "Both sides agreed to hold annual consultations between their foreign ministries.", parties: ["Portugal", "Morocco"], deadline_phrase: null, due_on: null },
    ],
    optional: [],
    distractors: [
      "The Prime Minister of Portugal and the Head of Government of Morocco met in Lisbon today for the fourth high-level meeting between the two countries.",
      "The talks were held in a warm and friendly atmosphere.",
      "The two sides welcomed the growth of bilateral trade, which exceeded four billion euros last year.",
      "They recalled the agreement on cultural cooperation signed in 2019.",
      "The leaders expressed their satisfaction with the results of the meeting.",
    ],
  },
  {
    id: "bilateral-water",
    style: "bilateral joint statement (words for numbers, event anchors)",
    signed_on: "2026-05-04",
    parties: ["Kazakhstan", "Uzbekistan"],
    text: `Joint Statement by the Presidents of the Republic of Kazakhstan and the Republic of Uzbekistan on Water Cooperation

The Presidents held talks in Tashkent on 4 May 2026. They noted that the Syr Darya basin faces serious pressure from climate change.

The parties will create a joint commission on the use of transboundary water resources within three months. Kazakhstan and Uzbekistan intend to exchange real-time hydrological data from all gauging stations on the Syr Darya in the coming two years. The sides will draft a common methodology for water allocation within 60 days of the first meeting of the commission.

Uzbekistan shall complete the reconstruction of the Dostyk canal before 1 October 2027.

The Presidents stressed that water is a matter of common destiny for the peoples of Central Asia. The previous water agreement, concluded in 1998, expired in 2023.`,
    gold: [
      { quote: "The parties will create a joint commission on the use of transboundary water resources within three months.", parties: ["Kazakhstan", "Uzbekistan"], deadline_phrase: "within three months", due_on: "2026-08-04" },
      { quote: "Kazakhstan and Uzbekistan intend to exchange real-time hydrological data from all gauging stations on the Syr Darya in the coming two years.", parties: ["Kazakhstan", "Uzbekistan"], deadline_phrase: "in the coming two years", due_on: "2028-05-04" },
      { quote: "The sides will draft a common methodology for water allocation within 60 days of the first meeting of the commission.", parties: ["Kazakhstan", "Uzbekistan"], deadline_phrase: "within 60 days of the first meeting of the commission", due_on: null },
      { quote: "Uzbekistan shall complete the reconstruction of the Dostyk canal before 1 October 2027.", parties: ["Uzbekistan"], deadline_phrase: "before 1 October 2027", due_on: "2027-09-30" },
    ],
    optional: [],
    distractors: [
      "The Presidents held talks in Tashkent on 4 May 2026.",
      "They noted that the Syr Darya basin faces serious pressure from climate change.",
      "The Presidents stressed that water is a matter of common destiny for the peoples of Central Asia.",
      "The previous water agreement, concluded in 1998, expired in 2023.",
    ],
  },
  {
    id: "multilateral-oceans",
    style: "multilateral declaration",
    signed_on: "2026-06-08",
    parties: ["Fiji", "Samoa", "Tonga", "Vanuatu", "New Zealand"],
    text: `Suva Declaration on Ocean Resilience

We, the Leaders of Fiji, Samoa, Tonga, Vanuatu and New Zealand, meeting in Suva on 8 June 2026,

Recognising that the ocean is the foundation of our livelihoods, cultures and identities;

Recalling the Boe Declaration adopted in 2018;

Deeply concerned that sea-level rise threatens the very existence of low-lying communities;

Hereby commit to:

1. Designate at least 30 per cent of our exclusive economic zones as marine protected areas by 2030.

2. Establish a regional ocean observation network within twelve months.

3. New Zealand will provide NZD 50 million for coastal adaptation projects over the next five years.

4. Each signatory shall submit a national report on illegal fishing to the Secretariat no later than 31 March 2027.

We further decide to review progress at our next meeting in September 2027.

The Leaders thanked the Government of Fiji for its hospitality.`,
    gold: [
      { quote: "Designate at least 30 per cent of our exclusive economic zones as marine protected areas by 2030.", parties: ["Fiji", "Samoa", "Tonga", "Vanuatu", "New Zealand"], deadline_phrase: "by 2030", due_on: "2030-12-31" },
      { quote: "Establish a regional ocean observation network within twelve months.", parties: ["Fiji", "Samoa", "Tonga", "Vanuatu", "New Zealand"], deadline_phrase: "within twelve months", due_on: "2027-06-08" },
      { quote: "New Zealand will provide NZD 50 million for coastal adaptation projects over the next five years.", parties: ["New Zealand"], deadline_phrase: "over the next five years", due_on: "2031-06-08" },
      { quote: "Each signatory shall submit a national report on illegal fishing to the Secretariat no later than 31 March 2027.", parties: ["Fiji", "Samoa", "Tonga", "Vanuatu", "New Zealand"], deadline_phrase: "no later than 31 March 2027", due_on: "2027-03-31" },
      { quote: "We further decide to review progress at our next meeting in September 2027.", parties: ["Fiji", "Samoa", "Tonga", "Vanuatu", "New Zealand"], deadline_phrase: "in September 2027", due_on: "2027-09-30" },
    ],
    optional: [],
    distractors: [
      "Recognising that the ocean is the foundation of our livelihoods, cultures and identities;",
      "Recalling the Boe Declaration adopted in 2018;",
      "Deeply concerned that sea-level rise threatens the very existence of low-lying communities;",
      "The Leaders thanked the Government of Fiji for its hospitality.",
    ],
  },
  {
    id: "multilateral-health",
    style: "multilateral ministerial declaration (quarters, next year)",
    signed_on: "2026-02-17",
    parties: ["Ghana", "Kenya", "Senegal", "Rwanda", "World Health Organization"],
    text: `Ministerial Declaration on Vaccine Manufacturing in Africa

The Ministers of Health of Ghana, Kenya, Senegal and Rwanda met in Kigali on 17 February 2026 with the World Health Organization.

The Ministers noted that Africa imports more than 90 per cent of the vaccines it uses. They welcomed the opening of the mRNA technology transfer hub in Cape Town in 2021.

The Ministers resolved to harmonise the registration of vaccines through the African Medicines Agency by the end of next year. Rwanda will begin commercial production at its Kigali plant in the third quarter of 2026. The World Health Organization is to train 500 quality-control specialists in the coming 18 months. Senegal and Ghana undertake to publish a joint procurement plan by the end of the quarter.

The Ministers agreed that pooled procurement should be considered at a later stage.

The meeting was chaired by the Minister of Health of Rwanda.`,
    gold: [
      { quote: "The Ministers resolved to harmonise the registration of vaccines through the African Medicines Agency by the end of next year.", parties: ["Ghana", "Kenya", "Senegal", "Rwanda"], deadline_phrase: "by the end of next year", due_on: "2027-12-31" },
      { quote: "Rwanda will begin commercial production at its Kigali plant in the third quarter of 2026.", parties: ["Rwanda"], deadline_phrase: "in the third quarter of 2026", due_on: "2026-09-30" },
      { quote: "The World Health Organization is to train 500 quality-control specialists in the coming 18 months.", parties: ["World Health Organization"], deadline_phrase: "in the coming 18 months", due_on: "2027-08-17" },
      { quote: "Senegal and Ghana undertake to publish a joint procurement plan by the end of the quarter.", parties: ["Senegal", "Ghana"], deadline_phrase: "by the end of the quarter", due_on: "2026-03-31" },
    ],
    optional: ["The Ministers agreed that pooled procurement should be considered at a later stage."],
    distractors: [
      "The Ministers of Health of Ghana, Kenya, Senegal and Rwanda met in Kigali on 17 February 2026 with the World Health Organization.",
      "The Ministers noted that Africa imports more than 90 per cent of the vaccines it uses.",
      "They welcomed the opening of the mRNA technology transfer hub in Cape Town in 2021.",
      "The meeting was chaired by the Minister of Health of Rwanda.",
    ],
  },
  {
    id: "executive-order-grid",
    style: "executive order with \"within 90 days\" directives",
    signed_on: "2026-01-20",
    parties: ["Department of Energy", "Environmental Protection Agency", "Department of the Interior"],
    text: `EXECUTIVE ORDER 14321

Strengthening the Reliability of the National Electric Grid

By the authority vested in me as President by the Constitution and the laws of the United States of America, it is hereby ordered as follows:

Section 1. Purpose. The Nation's electric grid is aging, and extreme weather has caused record outages in recent years.

Sec. 2. Assessment. (a) Within 90 days of the date of this order, the Secretary of Energy shall submit to the President a report identifying the transmission corridors most at risk.

(b) The Administrator of the Environmental Protection Agency shall, within 180 days of the date of this order, review all pending permits for grid-scale storage facilities.

Sec. 3. Federal Lands. The Secretary of the Interior shall publish guidance on siting transmission lines on federal lands no later than December 31, 2026.

Sec. 4. Coordination. The Department of Energy shall convene a grid reliability task force within 30 days after the report described in section 2(a) is submitted.

Sec. 5. General Provisions. Nothing in this order shall be construed to impair or otherwise affect the authority granted by law to an executive department or agency. This order is not intended to, and does not, create any right or benefit enforceable at law.

THE WHITE HOUSE,
January 20, 2026.`,
    gold: [
      { quote: "Within 90 days of the date of this order, the Secretary of Energy shall submit to the President a report identifying the transmission corridors most at risk.", parties: ["Department of Energy"], deadline_phrase: "Within 90 days of the date of this order", due_on: "2026-04-20" },
      { quote: "The Administrator of the Environmental Protection Agency shall, within 180 days of the date of this order, review all pending permits for grid-scale storage facilities.", parties: ["Environmental Protection Agency"], deadline_phrase: "within 180 days of the date of this order", due_on: "2026-07-19" },
      { quote: "The Secretary of the Interior shall publish guidance on siting transmission lines on federal lands no later than December 31, 2026.", parties: ["Department of the Interior"], deadline_phrase: "no later than December 31, 2026", due_on: "2026-12-31" },
      { quote: "The Department of Energy shall convene a grid reliability task force within 30 days after the report described in section 2(a) is submitted.", parties: ["Department of Energy"], deadline_phrase: "within 30 days after the report described in section 2(a) is submitted", due_on: null },
    ],
    optional: [],
    distractors: [
      "The Nation's electric grid is aging, and extreme weather has caused record outages in recent years.",
      "Nothing in this order shall be construed to impair or otherwise affect the authority granted by law to an executive department or agency.",
      "This order is not intended to, and does not, create any right or benefit enforceable at law.",
    ],
  },
  {
    id: "executive-order-procurement",
    style: "executive order (weeks, event anchors, numbered directives)",
    signed_on: "2026-09-01",
    parties: ["Ministry of Finance", "Public Procurement Agency", "Ministry of Digital Affairs"],
    text: `Decree No. 412 on Open Public Procurement

Whereas the public has a right to know how public money is spent, and whereas the audit of 2025 found that a third of tenders were published late, the Government decrees:

Article 1. The Public Procurement Agency shall publish every contract above EUR 10,000 in open data format within 30 days of its signature.

Article 2. The Ministry of Digital Affairs shall launch a single procurement portal within six weeks.

Article 3. The Ministry of Finance must present a plan to phase out paper tenders by the end of March 2027.

Article 4. The Public Procurement Agency will report to Parliament on compliance with this decree every year.

Article 5. This decree enters into force on the day of its publication.`,
    gold: [
      { quote: "The Public Procurement Agency shall publish every contract above EUR 10,000 in open data format within 30 days of its signature.", parties: ["Public Procurement Agency"], deadline_phrase: "within 30 days of its signature", due_on: null },
      { quote: "The Ministry of Digital Affairs shall launch a single procurement portal within six weeks.", parties: ["Ministry of Digital Affairs"], deadline_phrase: "within six weeks", due_on: "2026-10-13" },
      { quote: "The Ministry of Finance must present a plan to phase out paper tenders by the end of March 2027.", parties: ["Ministry of Finance"], deadline_phrase: "by the end of March 2027", due_on: "2027-03-31" },
      { quote: "The Public Procurement Agency will report to Parliament on compliance with this decree every year.", parties: ["Public Procurement Agency"], deadline_phrase: null, due_on: null },
    ],
    optional: [],
    distractors: [
      "Whereas the public has a right to know how public money is spent, and whereas the audit of 2025 found that a third of tenders were published late, the Government decrees:",
      "Article 5. This decree enters into force on the day of its publication.",
    ],
  },
  {
    id: "corporate-mou-mining",
    style: "corporate memorandum of understanding",
    signed_on: "2026-04-15",
    parties: ["Nordlys Minerals", "Atacama Lithium"],
    text: `MEMORANDUM OF UNDERSTANDING between Nordlys Minerals AS and Atacama Lithium S.A.

Oslo, 15 April 2026 — Nordlys Minerals AS and Atacama Lithium S.A. today signed a memorandum of understanding on the joint development of lithium refining capacity in Europe.

Nordlys Minerals is a leading producer of battery-grade nickel, with operations in three countries. Atacama Lithium has mined lithium brine in northern Chile since 2009.

Under the memorandum, the companies will complete a joint feasibility study for a refinery in northern Norway within nine months. Atacama Lithium will supply up to 20,000 tonnes of lithium carbonate a year from 2028. Nordlys Minerals plans to take a final investment decision by Q4 2027.

The parties are expected to sign a binding offtake agreement no later than 30 September 2026.

"This partnership is a milestone for Europe's battery supply chain," said the chief executive of Nordlys Minerals. The memorandum is not legally binding.`,
    gold: [
      { quote: "Under the memorandum, the companies will complete a joint feasibility study for a refinery in northern Norway within nine months.", parties: ["Nordlys Minerals", "Atacama Lithium"], deadline_phrase: "within nine months", due_on: "2027-01-15" },
      { quote: "Atacama Lithium will supply up to 20,000 tonnes of lithium carbonate a year from 2028.", parties: ["Atacama Lithium"], deadline_phrase: null, due_on: null },
      { quote: "Nordlys Minerals plans to take a final investment decision by Q4 2027.", parties: ["Nordlys Minerals"], deadline_phrase: "by Q4 2027", due_on: "2027-12-31" },
      { quote: "The parties are expected to sign a binding offtake agreement no later than 30 September 2026.", parties: ["Nordlys Minerals", "Atacama Lithium"], deadline_phrase: "no later than 30 September 2026", due_on: "2026-09-30" },
    ],
    optional: [],
    distractors: [
      "Oslo, 15 April 2026 — Nordlys Minerals AS and Atacama Lithium S.A. today signed a memorandum of understanding on the joint development of lithium refining capacity in Europe.",
      "Nordlys Minerals is a leading producer of battery-grade nickel, with operations in three countries.",
      "Atacama Lithium has mined lithium brine in northern Chile since 2009.",
      "\"This partnership is a milestone for Europe's battery supply chain,\" said the chief executive of Nordlys Minerals.",
      "The memorandum is not legally binding.",
    ],
  },
  {
    id: "corporate-climate",
    style: "corporate memorandum / pledge (years, this year)",
    signed_on: "2026-10-05",
    parties: ["Helvetia Foods", "WWF"],
    text: `Memorandum of Cooperation between Helvetia Foods and WWF

Helvetia Foods, one of the largest food companies in the world, and WWF have worked together on sustainable palm oil since 2015. Last year the company sourced 85 per cent of its palm oil from certified suppliers.

Helvetia Foods commits to halving the greenhouse gas emissions of its supply chain by 2032. The company will eliminate deforestation from its cocoa supply chain by the end of 2027. Helvetia Foods will also publish a list of all its direct cocoa suppliers this year.

WWF will review the company's progress and publish an independent assessment every two years.

Both organisations believe that business has a key role to play in protecting nature.`,
    gold: [
      { quote: "Helvetia Foods commits to halving the greenhouse gas emissions of its supply chain by 2032.", parties: ["Helvetia Foods"], deadline_phrase: "by 2032", due_on: "2032-12-31" },
      { quote: "The company will eliminate deforestation from its cocoa supply chain by the end of 2027.", parties: ["Helvetia Foods"], deadline_phrase: "by the end of 2027", due_on: "2027-12-31" },
      { quote: "Helvetia Foods will also publish a list of all its direct cocoa suppliers this year.", parties: ["Helvetia Foods"], deadline_phrase: "this year", due_on: "2026-12-31" },
      { quote: "WWF will review the company's progress and publish an independent assessment every two years.", parties: ["WWF"], deadline_phrase: null, due_on: null },
    ],
    optional: [],
    distractors: [
      "Helvetia Foods, one of the largest food companies in the world, and WWF have worked together on sustainable palm oil since 2015.",
      "Last year the company sourced 85 per cent of its palm oil from certified suppliers.",
      "Both organisations believe that business has a key role to play in protecting nature.",
    ],
  },
  {
    id: "readout-mixed",
    style: "ministry read-out mixing past events with plans",
    signed_on: "2026-07-22",
    parties: ["Georgia", "European Union"],
    text: `Readout of the Foreign Minister's meeting with the EU High Representative

On 22 July 2026 the Minister of Foreign Affairs of Georgia met the High Representative of the European Union in Brussels. The Minister briefed the High Representative on the reforms adopted by Parliament in June. The parties discussed the situation in the region and the progress of the visa liberalisation dialogue.

The sides agreed that a new round of the EU–Georgia Association Council will take place in November 2026. The European Union will allocate EUR 120 million to support small and medium-sized enterprises in Georgia over the coming three years. Georgia is to adopt the new anti-corruption strategy by the end of October.

The Minister thanked the European Union for its continued support. He also recalled that the EU had opened a new delegation office in Batumi in 2024.

It was also noted that the sides will continue to consult regularly on regional security.`,
    gold: [
      { quote: "The sides agreed that a new round of the EU–Georgia Association Council will take place in November 2026.", parties: ["Georgia", "European Union"], deadline_phrase: "in November 2026", due_on: "2026-11-30" },
      { quote: "The European Union will allocate EUR 120 million to support small and medium-sized enterprises in Georgia over the coming three years.", parties: ["European Union"], deadline_phrase: "over the coming three years", due_on: "2029-07-22" },
      { quote: "Georgia is to adopt the new anti-corruption strategy by the end of October.", parties: ["Georgia"], deadline_phrase: "by the end of October", due_on: "2026-10-31" },
    ],
    optional: ["It was also noted that the sides will continue to consult regularly on regional security."],
    distractors: [
      "On 22 July 2026 the Minister of Foreign Affairs of Georgia met the High Representative of the European Union in Brussels.",
      "The Minister briefed the High Representative on the reforms adopted by Parliament in June.",
      "The parties discussed the situation in the region and the progress of the visa liberalisation dialogue.",
      "The Minister thanked the European Union for its continued support.",
      "He also recalled that the EU had opened a new delegation office in Batumi in 2024.",
    ],
  },
  {
    id: "readout-passive",
    style: "ministry read-out in the passive voice (\"it is planned\", \"is expected\")",
    signed_on: "2026-11-10",
    parties: ["Mongolia", "Japan"],
    text: `Press release of the Ministry of Foreign Affairs of Mongolia

On 10 November 2026, the Foreign Minister of Mongolia paid an official visit to Tokyo at the invitation of the Minister for Foreign Affairs of Japan. During the visit, an agreement on the avoidance of double taxation was signed, and the two ministers laid a wreath at the memorial to Mongolian soldiers.

It is planned to open a direct flight between Ulaanbaatar and Osaka in the second quarter of 2027. A feasibility study on a copper smelter in the South Gobi is expected to be completed within 24 months. It was agreed that the Japan International Cooperation Agency would build three new schools in Ulaanbaatar by the end of 2028.

The Japanese side highly appreciated Mongolia's contribution to peace in Northeast Asia. Mongolia has been Japan's strategic partner since 2010.`,
    gold: [
      { quote: "It is planned to open a direct flight between Ulaanbaatar and Osaka in the second quarter of 2027.", parties: ["Mongolia", "Japan"], deadline_phrase: "in the second quarter of 2027", due_on: "2027-06-30" },
      { quote: "A feasibility study on a copper smelter in the South Gobi is expected to be completed within 24 months.", parties: ["Mongolia", "Japan"], deadline_phrase: "within 24 months", due_on: "2028-11-10" },
      { quote: "It was agreed that the Japan International Cooperation Agency would build three new schools in Ulaanbaatar by the end of 2028.", parties: ["Japan International Cooperation Agency"], deadline_phrase: "by the end of 2028", due_on: "2028-12-31" },
    ],
    optional: [],
    distractors: [
      "On 10 November 2026, the Foreign Minister of Mongolia paid an official visit to Tokyo at the invitation of the Minister for Foreign Affairs of Japan.",
      "During the visit, an agreement on the avoidance of double taxation was signed, and the two ministers laid a wreath at the memorial to Mongolian soldiers.",
      "The Japanese side highly appreciated Mongolia's contribution to peace in Northeast Asia.",
      "Mongolia has been Japan's strategic partner since 2010.",
    ],
  },
  {
    id: "nothing-promised",
    style: "a statement that promises nothing",
    signed_on: "2026-08-30",
    parties: ["Chile", "Argentina"],
    text: `Statement on the Occasion of the 40th Anniversary of the Treaty of Peace and Friendship

Forty years ago, Chile and Argentina signed the Treaty of Peace and Friendship, which settled the Beagle Channel dispute. The treaty was ratified by both congresses in 1985.

Since then, the two nations have built one of the closest relationships in the Americas. Trade between them has grown tenfold. Millions of tourists cross the Andes every year.

The Presidents of both countries attended a ceremony in Punta Arenas on 30 August 2026. They laid flowers at the monument to the mediators and listened to a concert by a joint youth orchestra.

The treaty remains a model of peaceful dispute settlement for the whole world.`,
    gold: [],
    optional: [],
    distractors: [
      "Forty years ago, Chile and Argentina signed the Treaty of Peace and Friendship, which settled the Beagle Channel dispute.",
      "The treaty was ratified by both congresses in 1985.",
      "Since then, the two nations have built one of the closest relationships in the Americas.",
      "The Presidents of both countries attended a ceremony in Punta Arenas on 30 August 2026.",
      "The treaty remains a model of peaceful dispute settlement for the whole world.",
    ],
  },
  {
    id: "ngo-city-pledge",
    style: "municipal pledge signed with an NGO (weeks and days in digits, by a date)",
    signed_on: "2026-03-01",
    parties: ["City of Rotterdam", "Housing Rights Coalition"],
    text: `Agreement on Affordable Housing between the City of Rotterdam and the Housing Rights Coalition

The City of Rotterdam has a shortage of some 20,000 affordable homes. Rents in the city rose by 12 per cent in 2025.

The City of Rotterdam shall publish a register of vacant municipal buildings within 8 weeks. The municipality will convert at least 500 vacant offices into social housing before the end of 2028. The Housing Rights Coalition will set up a free legal advice desk for tenants by 1 September 2026. The city council shall vote on a rent-control ordinance within 120 days.

The City of Rotterdam and the Housing Rights Coalition share the view that housing is a human right. The agreement was signed at the city hall in the presence of the mayor.`,
    gold: [
      { quote: "The City of Rotterdam shall publish a register of vacant municipal buildings within 8 weeks.", parties: ["City of Rotterdam"], deadline_phrase: "within 8 weeks", due_on: "2026-04-26" },
      { quote: "The municipality will convert at least 500 vacant offices into social housing before the end of 2028.", parties: ["City of Rotterdam"], deadline_phrase: "before the end of 2028", due_on: "2028-12-31" },
      { quote: "The Housing Rights Coalition will set up a free legal advice desk for tenants by 1 September 2026.", parties: ["Housing Rights Coalition"], deadline_phrase: "by 1 September 2026", due_on: "2026-09-01" },
      { quote: "The city council shall vote on a rent-control ordinance within 120 days.", parties: ["City of Rotterdam"], deadline_phrase: "within 120 days", due_on: "2026-06-29" },
    ],
    optional: [],
    distractors: [
      "The City of Rotterdam has a shortage of some 20,000 affordable homes.",
      "Rents in the city rose by 12 per cent in 2025.",
      "The City of Rotterdam and the Housing Rights Coalition share the view that housing is a human right.",
      "The agreement was signed at the city hall in the presence of the mayor.",
    ],
  },
  {
    id: "peace-ceasefire",
    style: "multilateral ceasefire declaration (days, by a date, words)",
    signed_on: "2026-06-20",
    parties: ["Government of South Sudan", "SPLM-IO", "IGAD"],
    text: `Declaration of Cessation of Hostilities

Meeting in Addis Ababa under the auspices of IGAD, the Government of South Sudan and the SPLM-IO,

Mindful of the suffering that the conflict has brought to the civilian population;

Noting that previous ceasefires were violated in 2016 and 2020;

Have agreed as follows:

The parties shall withdraw their forces from civilian areas within fourteen days. The Government of South Sudan will release all political detainees no later than 15 August 2026. IGAD shall deploy a ceasefire monitoring mission within 30 days after this declaration enters into force. The parties undertake to resume negotiations on security arrangements by the end of September 2026.

This declaration shall enter into force upon signature.

Done at Addis Ababa on 20 June 2026.`,
    gold: [
      { quote: "The parties shall withdraw their forces from civilian areas within fourteen days.", parties: ["Government of South Sudan", "SPLM-IO"], deadline_phrase: "within fourteen days", due_on: "2026-07-04" },
      { quote: "The Government of South Sudan will release all political detainees no later than 15 August 2026.", parties: ["Government of South Sudan"], deadline_phrase: "no later than 15 August 2026", due_on: "2026-08-15" },
      { quote: "IGAD shall deploy a ceasefire monitoring mission within 30 days after this declaration enters into force.", parties: ["IGAD"], deadline_phrase: "within 30 days after this declaration enters into force", due_on: null },
      { quote: "The parties undertake to resume negotiations on security arrangements by the end of September 2026.", parties: ["Government of South Sudan", "SPLM-IO"], deadline_phrase: "by the end of September 2026", due_on: "2026-09-30" },
    ],
    optional: ["This declaration shall enter into force upon signature."],
    distractors: [
      "Mindful of the suffering that the conflict has brought to the civilian population;",
      "Noting that previous ceasefires were violated in 2016 and 2020;",
      "Done at Addis Ababa on 20 June 2026.",
    ],
  },
];
