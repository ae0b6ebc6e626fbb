// js/strings.js: the interface's words in French and English. Post data never passes through here.

const STRINGS = {
  fr: {
    loading: "Chargement des messages…",
    reconnecting: "Reconnexion…",
    emptyLead: "Pas encore de message : lancez la conversation !",
    loadOlder: "Charger les messages plus anciens",
    loadingOlder: "Chargement…",
    olderFailed: "Le chargement a échoué. Réessayez dans un instant.",
    noOlder: "Vous avez tout lu. Merci !",
    backToNewest: "Revenir aux plus récents",
    anonymous: "Anonyme",
    pinned: "Épinglé",
    reposts: "partages",
    allChannels: "Tous",
    searchLabel: "Rechercher dans les messages",
    searchPlaceholder: "Rechercher…",
    filtersLabel: "Filtrer par canal",
    matching: (count) => (count === 0 ? "Aucun message ne correspond" : count === 1 ? "1 message correspond" : `${count} messages correspondent`),
    welcomeTitle: "Bienvenue !",
    welcomeLead: "Le mur attend vos messages",
    followOnPhone: "Suivez le mur sur votre téléphone\u00a0:",
    unavailable: "Ce message n’est plus disponible.",
    viewSource: "Voir le message d’origine",
    backToWall: "Voir tout le mur",
    postsLabel: "Messages",
    newPosts: (count) => (count === 1 ? "1 nouveau message" : `${count} nouveaux messages`),
    announceOne: (name) => `Nouveau message de ${name}`,
    announceMany: (count) => `${count} nouveaux messages`,
    privacy: "Confidentialité",
    privacyOnProjector: "Confidentialité\u00a0:",
    privacyTitle: "Confidentialité",
    privacyNone: "L’organisateur n’a pas publié de notice de confidentialité.",
    stageTitle: "Questions pour la scène",
    stageEmpty: "Pas de question pour l’instant. Les modérateurs les marquent dans la console.",
    stageListLabel: "Questions",
    stageCount: (count) => (count === 0 ? "Aucune question" : count === 1 ? "1 question" : `${count} questions`),
    stageShow: "Afficher à l’écran",
    stageOnScreen: "À l’écran",
    stageDone: "Répondue",
    answeringLabel: "Question en cours",
    announcement: "Annonce",
    announcementsLabel: "Annonces des organisateurs",
  },
  en: {
    loading: "Loading posts…",
    reconnecting: "Reconnecting…",
    emptyLead: "No posts yet: start the conversation!",
    loadOlder: "Load older posts",
    loadingOlder: "Loading…",
    olderFailed: "Loading failed. Try again in a moment.",
    noOlder: "You have read everything. Thank you!",
    backToNewest: "Back to the newest",
    anonymous: "Anonymous",
    pinned: "Pinned",
    reposts: "reposts",
    allChannels: "All",
    searchLabel: "Search the posts",
    searchPlaceholder: "Search…",
    filtersLabel: "Filter by channel",
    matching: (count) => (count === 0 ? "No post matches" : count === 1 ? "1 post matches" : `${count} posts match`),
    welcomeTitle: "Welcome!",
    welcomeLead: "The wall is waiting for your posts",
    followOnPhone: "Follow the wall on your phone:",
    unavailable: "This post is no longer available.",
    viewSource: "View the original post",
    backToWall: "See the whole wall",
    postsLabel: "Posts",
    newPosts: (count) => (count === 1 ? "1 new post" : `${count} new posts`),
    announceOne: (name) => `New post from ${name}`,
    announceMany: (count) => `${count} new posts`,
    privacy: "Privacy",
    privacyOnProjector: "Privacy:",
    privacyTitle: "Privacy",
    privacyNone: "The organiser has not published a privacy notice.",
    stageTitle: "Questions for the stage",
    stageEmpty: "No question yet. Moderators mark them in the console.",
    stageListLabel: "Questions",
    stageCount: (count) => (count === 0 ? "No question" : count === 1 ? "1 question" : `${count} questions`),
    stageShow: "Show on screen",
    stageOnScreen: "On screen",
    stageDone: "Answered",
    answeringLabel: "Now answering",
    announcement: "Announcement",
    announcementsLabel: "Announcements from the organisers",
  },
};

/** The strings for `language`, French when it is neither "fr" nor "en". */
export function stringsFor(language) {
  return STRINGS[language] ?? STRINGS.fr;
}

/**
 * Sets the text of every `[data-i18n="key"]` under `root`, and of `[data-i18n-label]` as `aria-label`,
 * including inside `<template>`s so that cards are cloned already translated.
 */
export function applyStrings(root, strings) {
  for (const template of root.querySelectorAll("template")) applyStrings(template.content, strings);
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const value = strings[element.dataset.i18n];
    if (typeof value === "string") element.textContent = value;
  }
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    const value = strings[element.dataset.i18nLabel];
    if (typeof value === "string") element.setAttribute("aria-label", value);
  }
}
