package awsid

import (
	"strings"
	"testing"
)

// sessionNameTests says which convention each name follows.
var sessionNameTests = []struct {
	name                                    string
	valid, ec2, ecs, botocore, sdk, ssoRole bool
}{
	{name: "SageMaker", valid: true},
	{name: "i-0317f6c6b66ae9c40", valid: true, ec2: true},
	{name: "i-786a3A8B5C0d92eF4", valid: true, ec2: true},
	{name: "i-1234abcd", valid: true, ec2: true},
	{name: "i-1234abc", valid: true},
	{name: "i-0317f6c6b66ae9c4", valid: true},
	{name: "i-0317f6c6b66ae9c40x", valid: true},
	{name: "0123456789abcdef0123456789abcdef", valid: true, ecs: true},
	{name: "0123456789ABCDEF0123456789ABCDEF", valid: true},
	{name: "0123456789abcdef0123456789abcde", valid: true},
	{name: "botocore-session-1714554000", valid: true, botocore: true},
	{name: "botocore-session-", valid: true},
	{name: "aws-go-sdk-1722455550269043000", valid: true, sdk: true},
	{name: "aws-sdk-java-1714554000123", valid: true, sdk: true},
	{name: "aws-sdk-js-session-1714554000123", valid: true, sdk: true},
	{name: "aws-sdk-js-1714554000123", valid: true, sdk: true},
	{name: "aws-sdk-go-1", valid: true},
	{name: "AWSReservedSSO_Admin_0123456789abcdef", valid: true, ssoRole: true},
	{name: "AWSReservedSSO_", valid: true},
	{name: "dave@example.com", valid: true},
	{name: "a=b,c", valid: true},
	{name: ""},
	{name: "x"},
	{name: "has space"},
	{name: "a/b"},
	{name: "naïve"},
	{name: strings.Repeat("a", 65)},
}

func TestSessionNames(t *testing.T) {
	for _, tt := range sessionNameTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				fn   string
				got  bool
				want bool
			}{
				{"IsSessionName", IsSessionName(tt.name), tt.valid},
				{"IsEC2InstanceID", IsEC2InstanceID(tt.name), tt.ec2},
				{"IsECSTaskID", IsECSTaskID(tt.name), tt.ecs},
				{"IsBotocoreSessionName", IsBotocoreSessionName(tt.name), tt.botocore},
				{"IsSDKSessionName", IsSDKSessionName(tt.name), tt.sdk},
				{"IsSSORoleName", IsSSORoleName(tt.name), tt.ssoRole},
			} {
				if c.got != c.want {
					t.Errorf("%s(%q) = %v, want %v", c.fn, tt.name, c.got, c.want)
				}
			}
		})
	}
	if !IsSessionName(SageMakerSessionName) {
		t.Errorf("IsSessionName(%q) = false", SageMakerSessionName)
	}
}
