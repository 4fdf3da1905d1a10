/* The admin's slug prefill spells German umlauts out as communityops/slugs.py does ("Ährenfeld" →
   "aehrenfeld"; Django's URLify alone drops the dots: "ahrenfeld"). prepopulate.js calls the global
   URLify of urlify.js as the name is typed; this wraps it. */
"use strict";
{
    const GERMAN_LETTERS = {ä: "ae", ö: "oe", ü: "ue", Ä: "Ae", Ö: "Oe", Ü: "Ue", ß: "ss", ẞ: "SS"};
    const djangoURLify = window.URLify;
    window.URLify = function (text, numChars, allowUnicode) {
        const spelledOut = text.normalize("NFC").replace(/[äöüÄÖÜßẞ]/g, (letter) => GERMAN_LETTERS[letter]);
        return djangoURLify(spelledOut, numChars, allowUnicode);
    };
}
