package corpus

// appendEvent writes g.e as one CloudTrail record, in the field order
// CloudTrail uses, and returns the extended buffer.
func (g *gen) appendEvent(b []byte) []byte {
	e := &g.e
	acct := g.s.acct
	w := &g.out
	w.reset(b)
	w.b = b // append after the events already in b
	w.obj()
	w.kstr("eventVersion", e.version)
	w.kobj("userIdentity")
	id := &e.id
	w.kstr("type", id.typ)
	if id.principalID != "" {
		w.kstr("principalId", id.principalID)
	}
	if id.arn != "" {
		w.kstr("arn", id.arn)
	}
	if id.accountID != "" {
		w.kstr("accountId", id.accountID)
	}
	if id.keyID != "" {
		w.kstr("accessKeyId", id.keyID)
	}
	if id.userName != "" {
		w.kstr("userName", id.userName)
	}
	if id.identityProvider != "" {
		w.kstr("identityProvider", id.identityProvider)
	}
	if id.session {
		w.kobj("sessionContext")
		if id.issuerARN != "" {
			w.kobj("sessionIssuer")
			w.kstr("type", id.issuerType)
			w.kstr("principalId", id.issuerID)
			w.kstr("arn", id.issuerARN)
			w.kstr("accountId", id.accountID)
			w.kstr("userName", id.issuerName)
			w.end()
			w.kobj("webIdFederationData")
			w.end()
		}
		w.kobj("attributes")
		w.key("creationDate")
		w.pre()
		w.b = append(w.b, '"')
		w.b = appendTime(w.b, id.created)
		w.b = append(w.b, '"')
		if id.mfa {
			w.kstr("mfaAuthenticated", "true")
		} else {
			w.kstr("mfaAuthenticated", "false")
		}
		w.end()
		if id.sourceIdentity != "" {
			w.kstr("sourceIdentity", id.sourceIdentity)
		}
		if id.ec2RoleDelivery != "" {
			w.kstr("ec2RoleDelivery", id.ec2RoleDelivery)
		}
		w.end()
	}
	if id.invokedBy != "" {
		w.kstr("invokedBy", id.invokedBy)
	}
	w.end()
	w.key("eventTime")
	w.pre()
	w.b = append(w.b, '"')
	w.b = appendTime(w.b, e.t)
	w.b = append(w.b, '"')
	w.kstr("eventSource", e.source)
	w.kstr("eventName", e.name)
	w.kstr("awsRegion", g.s.region)
	w.kstr("sourceIPAddress", e.ip)
	w.kstr("userAgent", e.ua)
	if e.errCode != "" {
		w.kstr("errorCode", e.errCode)
		w.kstr("errorMessage", e.errMsg)
	}
	w.key("requestParameters")
	if len(e.req.b) > 0 {
		w.raw(e.req.b)
	} else {
		w.null()
	}
	w.key("responseElements")
	if len(e.resp.b) > 0 && e.errCode == "" {
		w.raw(e.resp.b)
	} else {
		w.null()
	}
	if len(e.addl.b) > 0 {
		w.key("additionalEventData")
		w.raw(e.addl.b)
	}
	w.key("requestID")
	w.pre()
	w.b = append(w.b, '"')
	if e.s3ReqID {
		w.b = appendRand(w.b, 16, upperHex, g.r)
	} else {
		w.b = appendUUID(w.b, g.r)
	}
	w.b = append(w.b, '"')
	w.key("eventID")
	w.pre()
	w.b = append(w.b, '"')
	start := len(w.b)
	w.b = appendUUID(w.b, g.r)
	g.eventID = w.b[start:len(w.b)]
	w.b = append(w.b, '"')
	w.kbool("readOnly", e.readOnly)
	if len(e.res.b) > 0 {
		w.key("resources")
		w.raw(e.res.b)
	}
	w.kstr("eventType", "AwsApiCall")
	w.kbool("managementEvent", !e.data)
	w.kstr("recipientAccountId", acct.id)
	if e.vpce != "" {
		w.kstr("vpcEndpointId", e.vpce)
		w.kstr("vpcEndpointAccountId", acct.id)
	}
	if e.data {
		w.kstr("eventCategory", "Data")
	} else {
		w.kstr("eventCategory", "Management")
	}
	if !e.noTLS && e.tlsHost != "" {
		w.kobj("tlsDetails")
		w.kstr("tlsVersion", "TLSv1.3")
		w.kstr("cipherSuite", "TLS_AES_128_GCM_SHA256")
		w.kstr("clientProvidedHostHeader", e.tlsHost)
		w.end()
	}
	if e.console {
		w.kstr("sessionCredentialFromConsole", "true")
	}
	w.end()
	return w.b
}
