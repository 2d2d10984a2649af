package fakeaws

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// credentialsExpiry is far enough ahead that no SDK refreshes during a
// test, and fixed so that nothing depends on the clock.
var credentialsExpiry = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action := r.PostForm.Get("Action")
	service := "IAM"
	if r.PostForm.Get("Version") == "2011-06-15" {
		service = "STS"
	}
	in := map[string]any{}
	for k, v := range r.PostForm {
		if k != "Action" && k != "Version" && len(v) > 0 {
			in[k] = v[0]
		}
	}
	s.record(Call{Service: service, Op: action, Input: in})

	s.mu.Lock()
	result, aerr := s.query(service, action, r)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if aerr != nil {
		w.WriteHeader(aerr.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
			namespace(service), aerr.code, xmlEscape(aerr.message))
		return
	}
	fmt.Fprintf(w, `<%sResponse xmlns="%s">`, action, namespace(service))
	if result != "" {
		fmt.Fprintf(w, "<%sResult>%s</%sResult>", action, result, action)
	}
	fmt.Fprintf(w, "<ResponseMetadata><RequestId>fake-%d</RequestId></ResponseMetadata></%sResponse>", len(s.Calls()), action)
}

func namespace(service string) string {
	if service == "STS" {
		return "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	return "https://iam.amazonaws.com/doc/2010-05-08/"
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// query runs one IAM or STS action and returns the inner XML of its result
// element; s.mu is held.
func (s *Server) query(service, action string, r *http.Request) (string, *apiError) {
	form := r.PostForm
	switch service + "." + action {
	case "IAM.GetRole":
		role, ok := s.roles[form.Get("RoleName")]
		if !ok {
			return "", &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The role with name %s cannot be found.", form.Get("RoleName"))}
		}
		return fmt.Sprintf("<Role><Path>%s</Path><RoleName>%s</RoleName><RoleId>AROAFAKE%s</RoleId><Arn>%s</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate><AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument></Role>",
			xmlEscape(role.Path), xmlEscape(role.Name), strings.ToUpper(role.Name), xmlEscape(s.RoleARN(role.Path, role.Name)),
			// IAM returns the document URL-encoded.
			xmlEscape(url.QueryEscape(role.TrustPolicy))), nil
	case "IAM.UpdateAssumeRolePolicy":
		role, ok := s.roles[form.Get("RoleName")]
		if !ok {
			return "", &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The role with name %s cannot be found.", form.Get("RoleName"))}
		}
		doc := form.Get("PolicyDocument")
		if !strings.HasPrefix(strings.TrimSpace(doc), "{") {
			return "", &apiError{http.StatusBadRequest, "MalformedPolicyDocument", "This policy contains invalid Json"}
		}
		role.TrustPolicy = doc
		return "", nil
	case "STS.AssumeRole":
		roleARN, name := form.Get("RoleArn"), form.Get("RoleSessionName")
		if name == "" || len(name) > 64 {
			return "", &apiError{http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint"}
		}
		roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
		caller := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", s.Account, roleName, name)
		s.seq++
		key := fmt.Sprintf("ASIAFAKEASSUMED%05d", s.seq)
		s.sessions[key] = caller
		return fmt.Sprintf("<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-token-%d</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:%s</AssumedRoleId><Arn>%s</Arn></AssumedRoleUser>",
			key, s.seq, credentialsExpiry.Format(time.RFC3339), xmlEscape(name), xmlEscape(caller)), nil
	case "STS.GetCallerIdentity":
		caller := s.callerFromAuth(r.Header.Get("Authorization"))
		return fmt.Sprintf("<Arn>%s</Arn><UserId>AIDAFAKE</UserId><Account>%s</Account>", xmlEscape(caller), s.Account), nil
	}
	return "", &apiError{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("fakeaws does not implement %s.%s", service, action)}
}

// callerFromAuth maps the access key in a SigV4 Authorization header to
// the identity it was issued for; s.mu is held.
func (s *Server) callerFromAuth(auth string) string {
	_, cred, _ := strings.Cut(auth, "Credential=")
	key, _, _ := strings.Cut(cred, "/")
	if caller, ok := s.sessions[key]; ok {
		return caller
	}
	return fmt.Sprintf("arn:aws:iam::%s:user/%s", s.Account, key)
}
