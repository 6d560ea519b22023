package discord

import (
	"github.com/bwmarrin/discordgo"
)

// discordgo (v0.29) files a request under a rate-limit bucket named by its
// URL, and keeps every bucket for good. The routes of an interaction's
// answers hold its token in their URL (InteractionRespond,
// FollowupMessageCreate, InteractionResponseDelete): through those
// methods, every interaction's token would stay in the limiter's memory
// until the janitor's next sweep (sweepLimiter), or for ever while a
// request is always in flight. So the adapter sends them itself, to the
// same URL with the same body, under a bucket named by the interaction's
// id, which is no secret; the token lives only as long as the
// interaction's replier (and holdToken's).

// respond is discordgo's InteractionRespond, filed under responseBucket.
func (r *interactionReplier) respond(resp *discordgo.InteractionResponse, opts ...discordgo.RequestOption) error {
	endpoint := discordgo.EndpointInteractionResponse(r.i.ID, r.i.Token)
	if resp.Data != nil && len(resp.Data.Files) > 0 {
		contentType, body, err := discordgo.MultipartBodyWithJSON(resp, resp.Data.Files)
		if err != nil {
			return err
		}
		_, err = r.a.s.RequestRaw("POST", endpoint, contentType, body, r.responseBucket(), 0, opts...)
		return err
	}
	_, err := r.a.s.RequestWithBucketID("POST", endpoint, *resp, r.responseBucket(), opts...)
	return err
}

// followup is discordgo's FollowupMessageCreate (waiting for the message),
// filed under followupBucket; the message Discord returns is not needed.
func (r *interactionReplier) followup(data *discordgo.WebhookParams, opts ...discordgo.RequestOption) error {
	uri := discordgo.EndpointFollowupMessage(r.i.AppID, r.i.Token) + "?wait=true"
	var err error
	if len(data.Files) > 0 {
		contentType, body, encErr := discordgo.MultipartBodyWithJSON(data, data.Files)
		if encErr != nil {
			return encErr
		}
		_, err = r.a.s.RequestRaw("POST", uri, contentType, body, r.followupBucket(), 0, opts...)
	} else {
		_, err = r.a.s.RequestWithBucketID("POST", uri, data, r.followupBucket(), opts...)
	}
	return err
}

// deleteResponse is discordgo's InteractionResponseDelete, filed under
// followupBucket (Discord counts the interaction's webhook routes together).
func (r *interactionReplier) deleteResponse(opts ...discordgo.RequestOption) error {
	endpoint := discordgo.EndpointInteractionResponseActions(r.i.AppID, r.i.Token)
	_, err := r.a.s.RequestWithBucketID("DELETE", endpoint, nil, r.followupBucket(), opts...)
	return err
}

// responseBucket is the bucket of the interaction's response route: its
// route with the interaction's id and no token.
func (r *interactionReplier) responseBucket() string {
	return discordgo.EndpointInteractionResponse(r.i.ID, "")
}

// followupBucket is the bucket of the interaction's webhook routes
// (follow-ups, and the response's deletion): the webhook's route named by
// the interaction's id, not its token.
func (r *interactionReplier) followupBucket() string {
	return discordgo.EndpointWebhookToken(r.i.AppID, "interaction:"+r.i.ID)
}
