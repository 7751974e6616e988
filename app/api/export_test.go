package api

// AttachmentUploads is how many attachments the API receives at once.
const AttachmentUploads = attachmentUploads
