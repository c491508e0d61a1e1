import Foundation
import Vapor

/// The OpenAPI 3 document, generated from the registered endpoints so it cannot omit one.
enum OpenAPIDocument {
    static func register(_ app: Application) {
        app.routes.on(.GET, ["api", "v1", "openapi.json"], access: .anyone) { req -> Response in
            let data = try JSONSerialization.data(withJSONObject: document(req.application.apiRegistry.endpoints), options: [.sortedKeys, .prettyPrinted])
            let response = Response(status: .ok, body: .init(data: data))
            response.headers.contentType = .json
            return response
        }
    }

    static func document(_ endpoints: [Endpoint]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for e in endpoints {
            var parameters: [[String: Any]] = e.pathParameters.map {
                ["name": $0, "in": "path", "required": true, "schema": ["type": "string", "format": $0 == "id" ? "uuid" : "string"]]
            }
            parameters += e.query.map {
                ["name": $0.name, "in": "query", "required": $0.required, "description": $0.description, "schema": ["type": $0.type]]
            }
            var operation: [String: Any] = [
                "summary": e.summary,
                "tags": [e.tag],
                "operationId": "\(e.method.rawValue.lowercased())\(e.path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: ""))",
                "description": "Access: \(e.access.summary).",
                "parameters": parameters,
                "responses": responses(e),
            ]
            if let body = e.requestBody {
                operation["requestBody"] = ["required": true, "content": body == "binary"
                    ? ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]
                    : ["application/json": ["schema": ["$ref": "#/components/schemas/\(body)"]]]]
            }
            paths[e.openAPIPath, default: [:]][e.method.rawValue.lowercased()] = operation
        }
        return [
            "openapi": "3.0.3",
            "info": ["title": "Yixian (一线) API", "version": "1.0.0",
                     "description": "领导干部深入基层联系学生工作平台 API。Authenticate with a personal access token (`Authorization: Bearer yx_…`) or the browser session cookie (then send `X-CSRF-Token` on writes). Errors: `{\"error\": {code, field, message, messages: {zh, en}, details}}`."],
            "servers": [["url": "/"]],
            "security": [["bearer": []], ["session": []]],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer"],
                    "session": ["type": "apiKey", "in": "cookie", "name": AuthMiddleware.sessionCookie],
                ],
                "schemas": Schemas.all.merging(AccountSchemas.all) { own, _ in own }.merging(CaseSchemas.all) { own, _ in own },
            ],
        ]
    }

    static func responses(_ e: Endpoint) -> [String: Any] {
        let success: [String: Any] = e.response == "binary"
            ? ["description": "A file", "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]]
            : ["description": "Success", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(e.response)"]]]]
        let error: [String: Any] = ["description": "Error", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        var result: [String: Any] = [String(e.successStatus): success, "400": error, "401": error, "403": error, "404": error, "422": error]
        if e.method != .GET { result["409"] = error }
        return result
    }
}

/// JSON Schemas of the API's bodies.
enum Schemas {
    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    static func page(_ item: String) -> [String: Any] {
        object(["items": ["type": "array", "items": ["$ref": "#/components/schemas/\(item)"]], "page": int, "per": int, "total": int],
               required: ["items", "page", "per", "total"])
    }

    static var string: [String: Any] { ["type": "string"] }
    static var int: [String: Any] { ["type": "integer"] }
    static var bool: [String: Any] { ["type": "boolean"] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var strings: [String: Any] { ["type": "array", "items": ["type": "string"]] }
    static var localized: [String: Any] { ["$ref": "#/components/schemas/Localized"] }
    static var unitRef: [String: Any] { ["$ref": "#/components/schemas/UnitRef"] }

    static var all: [String: Any] {
        [
            "Localized": object(["zh": string, "en": string], required: ["zh", "en"]),
            "Error": object(["error": object(["code": ["type": "string", "enum": AppError.Code.allCases.map(\.rawValue)], "field": string, "message": string, "messages": localized, "requestId": string,
                                              "details": ["type": "array", "items": object(["field": string, "message": localized])]])]),
            "UnitRef": object(["id": uuid, "code": string, "name": string]),
            "Unit": object(["id": uuid, "code": string, "name": string, "kind": string, "kindLabel": localized, "active": bool, "sortOrder": int]),
            "UnitInput": object(["code": string, "name": string, "kind": string, "active": bool, "sortOrder": int]),
            "UnitPage": page("Unit"),
            "Cadre": object(["id": uuid, "staffNumber": string, "name": string, "unit": unitRef, "posts": strings, "rank": string,
                             "rankLabel": localized, "partyMember": bool, "tags": strings, "active": bool]),
            "CadreInput": object(["staffNumber": string, "name": string, "unitCode": string, "posts": strings, "rank": string,
                                  "partyMember": bool, "tags": strings, "active": bool]),
            "CadrePage": page("Cadre"),
            "Collective": object(["id": uuid, "code": string, "name": string, "kind": string, "kindLabel": localized, "unit": unitRef,
                                  "grade": int, "size": int, "active": bool]),
            "CollectiveInput": object(["code": string, "name": string, "kind": string, "unitCode": string, "grade": int, "size": int, "active": bool]),
            "CollectivePage": page("Collective"),
            "Student": object(["id": uuid, "studentNumber": string, "name": string, "unit": unitRef,
                               "collectives": ["type": "array", "items": object(["id": uuid, "code": string, "name": string, "kind": string])],
                               "active": bool]),
            "StudentInput": object(["studentNumber": string, "name": string, "unitCode": string, "collectiveCodes": strings, "active": bool]),
            "StudentPage": page("Student"),
            "Sensitive": object(["studentId": uuid, "familyHardship": bool, "disability": bool, "psychologicalAttention": bool, "note": string]),
            "SensitiveInput": object(["familyHardship": bool, "disability": bool, "psychologicalAttention": bool, "note": string]),
            "Calendar": object(["academicYears": ["type": "array", "items": object([
                "id": string, "name": string, "start": string, "end": string,
                "terms": ["type": "array", "items": object(["id": string, "name": string, "start": string, "end": string, "teachingWeeks": int,
                                                            "specialWeeks": ["type": "array", "items": object(["name": string, "kind": string, "start": string, "end": string, "excludedFromWeeklyRules": bool])],
                                                            "vacations": ["type": "array", "items": object(["name": string, "start": string, "end": string])]])],
            ])]]),
            "WorkdayList": ["type": "array", "items": object(["date": string, "weekday": int, "workday": bool, "holiday": string])],
            "Me": object(["id": uuid, "username": string, "displayName": string, "role": string, "roleLabel": localized,
                          "unitId": uuid, "cadreId": uuid, "studentId": uuid]),
            "User": object(["id": uuid, "username": string, "displayName": string, "role": string, "active": bool, "locked": bool]),
            "UserInput": object(["username": string, "displayName": string, "password": string, "role": string, "unitCode": string,
                                 "cadreStaffNumber": string, "studentNumber": string], required: ["username", "displayName", "password", "role"]),
            "UserPage": page("User"),
            "AuditEvent": object(["seq": int, "at": ["type": "string", "format": "date-time"], "actor": string, "action": string,
                                  "objectType": string, "objectId": string, "detail": string, "hash": string]),
            "AuditPage": page("AuditEvent"),
            "ImportReport": object(["kind": string, "format": string, "encoding": string, "validRows": int, "blankRows": int,
                                    "errors": ["type": "array", "items": ["$ref": "#/components/schemas/ImportIssue"]],
                                    "warnings": ["type": "array", "items": ["$ref": "#/components/schemas/ImportIssue"]],
                                    "outcome": object(["created": int, "updated": int, "unchanged": int])]),
            "PolicyVersion": object(["id": uuid, "policyId": string, "version": int, "title": string, "effectiveFrom": string,
                                     "uploadedBy": string, "uploadedAt": ["type": "string", "format": "date-time"]]),
            "PolicyVersionList": ["type": "array", "items": ["$ref": "#/components/schemas/PolicyVersion"]],
            "PolicyUpload": object(["text": string, "effectiveFrom": string], required: ["text", "effectiveFrom"]),
            "ComplianceCells": object(["asOf": string, "cells": ["type": "array", "items": object([
                "subject": object(["kind": string, "id": string, "name": string, "unitCode": string]), "ruleID": string, "severity": string,
                "period": object(["kind": string, "id": string, "start": string, "end": string, "label": localized]),
                "required": ["type": "number"], "achieved": ["type": "number"], "status": string, "due": string, "elapsed": int,
                "counted": strings, "excluded": ["type": "array", "items": object(["id": string, "reason": string])],
                "parts": ["type": "array", "items": object(["id": string, "label": localized, "status": string, "note": localized])], "note": localized,
                "members": strings])],
                "page": int, "per": int, "total": int]),
            "Empty": object([:]),
            "FilingInput": object(["unitCode": string, "kind": string, "termCode": string, "period": string, "submittedOn": string, "reason": string,
                                   "cadreStaffNumber": string],
                                  required: ["kind", "termCode", "submittedOn"]),
            "Filing": object(["id": uuid, "unitCode": string, "unitName": string, "kind": string, "kindLabel": localized,
                              "termCode": string, "period": string, "submittedOn": string, "cadreStaffNumber": string,
                              "attachments": ["type": "array", "items": object(["id": uuid, "name": string, "kind": string, "size": int])]]),
            "FilingList": ["type": "array", "items": ["$ref": "#/components/schemas/Filing"]],
            "HandoverInput": object(["fromStaffNumber": string, "toStaffNumber": string, "date": string], required: ["fromStaffNumber", "toStaffNumber", "date"]),
            "Handover": object(["ended": int, "started": int, "alreadyHeld": int]),
            "WishInput": object(["collectiveCodes": strings, "collectiveKinds": strings, "expertise": strings]),
            "Wish": object(["staffNumber": string, "academicYear": string, "collectiveCodes": strings, "collectiveKinds": strings, "expertise": strings]),
            "Pairing": object(["id": uuid, "cadre": object(["id": uuid, "staffNumber": string, "name": string]), "kind": string, "kindLabel": localized,
                               "collective": object(["id": uuid, "code": string, "name": string, "kind": string]), "studentNumber": string,
                               "academicYear": string, "start": string, "end": string]),
            "PairingList": ["type": "array", "items": ["$ref": "#/components/schemas/Pairing"]],
            "PairingInput": object(["staffNumber": string, "collectiveCode": string, "studentNumber": string, "kind": string,
                                    "academicYear": string, "start": string, "end": string], required: ["staffNumber"]),
            "ContactInput": object(["cadreId": uuid, "kind": string, "start": string, "end": string, "place": string, "venue": string, "collectiveCodes": strings,
                                    "participantCount": int, "participantNumbers": strings, "summary": string, "submit": bool, "backdateReason": string, "reason": string,
                                    "problems": ["type": "array", "items": object(["text": string, "category": string, "collectiveCode": string])]]),
            "Contact": object(["id": uuid, "cadre": object(["id": uuid, "staffNumber": string, "name": string]), "kind": string, "kindLabel": localized,
                               "start": ["type": "string", "format": "date-time"], "end": ["type": "string", "format": "date-time"],
                               "place": string, "venue": string, "collectiveCodes": strings, "participantCount": int, "participantNumbers": strings, "hours": ["type": "number"],
                               "summary": string, "status": string, "version": int, "confirmations": int, "confirmCode": string,
                               "backdateReason": string, "problems": ["type": "array", "items": object(["text": string, "category": string, "collectiveCode": string])],
                               "createdAt": ["type": "string", "format": "date-time"], "submittedAt": ["type": "string", "format": "date-time"]]),
            "ContactPage": page("Contact"),
            "ContactHistory": ["type": "array", "items": object(["version": int, "snapshot": object([:]), "reason": string, "changedBy": string,
                                                                 "changedAt": ["type": "string", "format": "date-time"]])],
            "ConfirmInput": object(["code": string], required: ["code"]),
            "CalendarImportReport": object(["years": strings, "terms": int, "rejudged": strings, "committed": bool,
                                            "issues": ["type": "array", "items": object(["row": int, "column": string, "message": localized, "warning": bool])]]),
            "VoidInput": object(["reason": string], required: ["reason"]),
            "IntegrityVerdictInput": object(["flagId": string, "verdict": ["type": "string", "enum": ["dismissed", "confirmed"]], "reason": string],
                                            required: ["flagId", "verdict", "reason"]),
            "IntegrityVerdict": object(["flagId": string, "verdict": string, "reason": string, "decidedBy": string, "decidedAt": ["type": "string", "format": "date-time"]]),
            "Confirmation": object(["recordId": uuid, "confirmations": int]),
            "ProblemList": ["type": "array", "items": object(["recordId": uuid, "cadre": string, "unitCode": string, "date": string, "text": string,
                                                              "category": string, "collectiveCode": string])],
            "ImportIssue": object(["row": int, "column": string, "code": string, "severity": string, "message": string, "messages": localized]),
        ]
    }
}
