// Typed models of the nativejson-benchmark files, for the Codable workloads: Foundation's
// JSONDecoder and RefWire's PerlJSONDecoder (through the PerlValue bridge) decode the same
// bytes into the same structs, and the results must be equal. Every field the files hold
// is modelled, so neither decoder skips work the other does; fields that are null in
// some records are optional.

/// canada.json: a GeoJSON feature collection of polygons (111,126 coordinates).
public struct Canada: Codable, Equatable, Sendable {
    public var type: String
    public var features: [Feature]

    public struct Feature: Codable, Equatable, Sendable {
        public var type: String
        public var properties: Properties
        public var geometry: Geometry
    }

    public struct Properties: Codable, Equatable, Sendable {
        public var name: String
    }

    public struct Geometry: Codable, Equatable, Sendable {
        public var type: String
        public var coordinates: [[[Double]]]
    }
}

/// citm_catalog.json: a ticketing catalogue, mostly maps keyed by numeric ids.
public struct CitmCatalog: Codable, Equatable, Sendable {
    public var areaNames: [String: String]
    public var audienceSubCategoryNames: [String: String]
    public var blockNames: [String: String]
    public var events: [String: Event]
    public var performances: [Performance]
    public var seatCategoryNames: [String: String]
    public var subTopicNames: [String: String]
    public var subjectNames: [String: String]
    public var topicNames: [String: String]
    public var topicSubTopics: [String: [Int]]
    public var venueNames: [String: String]

    public struct Event: Codable, Equatable, Sendable {
        public var description: String?
        public var id: Int
        public var logo: String?
        public var name: String
        public var subTopicIds: [Int]
        public var subjectCode: String?
        public var subtitle: String?
        public var topicIds: [Int]
    }

    public struct Performance: Codable, Equatable, Sendable {
        public var eventId: Int
        public var id: Int
        public var logo: String?
        public var name: String?
        public var prices: [Price]
        public var seatCategories: [SeatCategory]
        public var seatMapImage: String?
        public var start: Int
        public var venueCode: String
    }

    public struct Price: Codable, Equatable, Sendable {
        public var amount: Int
        public var audienceSubCategoryId: Int
        public var seatCategoryId: Int
    }

    public struct SeatCategory: Codable, Equatable, Sendable {
        public var areas: [Area]
        public var seatCategoryId: Int
    }

    public struct Area: Codable, Equatable, Sendable {
        public var areaId: Int
        public var blockIds: [Int]
    }
}

/// twitter.json: a search result of 100 statuses, with users and entities, mostly text.
public struct Twitter: Codable, Equatable, Sendable {
    public var statuses: [Status]
    public var search_metadata: SearchMetadata

    public struct SearchMetadata: Codable, Equatable, Sendable {
        public var completed_in: Double
        public var max_id: Int
        public var max_id_str: String
        public var next_results: String
        public var query: String
        public var refresh_url: String
        public var count: Int
        public var since_id: Int
        public var since_id_str: String
    }

    /// A status, and the status it retweets (which retweets nothing further).
    public struct Status: Codable, Equatable, Sendable {
        public var metadata: Metadata
        public var created_at: String
        public var id: Int
        public var id_str: String
        public var text: String
        public var source: String
        public var truncated: Bool
        public var in_reply_to_status_id: Int?
        public var in_reply_to_status_id_str: String?
        public var in_reply_to_user_id: Int?
        public var in_reply_to_user_id_str: String?
        public var in_reply_to_screen_name: String?
        public var user: User
        public var geo: String?
        public var coordinates: String?
        public var place: String?
        public var contributors: String?
        public var retweeted_status: RetweetedStatus?
        public var retweet_count: Int
        public var favorite_count: Int
        public var entities: Entities
        public var favorited: Bool
        public var retweeted: Bool
        public var possibly_sensitive: Bool?
        public var lang: String
    }

    public struct RetweetedStatus: Codable, Equatable, Sendable {
        public var metadata: Metadata
        public var created_at: String
        public var id: Int
        public var id_str: String
        public var text: String
        public var source: String
        public var truncated: Bool
        public var in_reply_to_status_id: Int?
        public var in_reply_to_status_id_str: String?
        public var in_reply_to_user_id: Int?
        public var in_reply_to_user_id_str: String?
        public var in_reply_to_screen_name: String?
        public var user: User
        public var geo: String?
        public var coordinates: String?
        public var place: String?
        public var contributors: String?
        public var retweet_count: Int
        public var favorite_count: Int
        public var entities: Entities
        public var favorited: Bool
        public var retweeted: Bool
        public var possibly_sensitive: Bool?
        public var lang: String
    }

    public struct Metadata: Codable, Equatable, Sendable {
        public var result_type: String
        public var iso_language_code: String
    }

    public struct User: Codable, Equatable, Sendable {
        public var id: Int
        public var id_str: String
        public var name: String
        public var screen_name: String
        public var location: String
        public var description: String
        public var url: String?
        public var entities: UserEntities
        public var protected: Bool
        public var followers_count: Int
        public var friends_count: Int
        public var listed_count: Int
        public var created_at: String
        public var favourites_count: Int
        public var utc_offset: Int?
        public var time_zone: String?
        public var geo_enabled: Bool
        public var verified: Bool
        public var statuses_count: Int
        public var lang: String
        public var contributors_enabled: Bool
        public var is_translator: Bool
        public var is_translation_enabled: Bool
        public var profile_background_color: String
        public var profile_background_image_url: String
        public var profile_background_image_url_https: String
        public var profile_background_tile: Bool
        public var profile_image_url: String
        public var profile_image_url_https: String
        public var profile_banner_url: String?
        public var profile_link_color: String
        public var profile_sidebar_border_color: String
        public var profile_sidebar_fill_color: String
        public var profile_text_color: String
        public var profile_use_background_image: Bool
        public var default_profile: Bool
        public var default_profile_image: Bool
        public var following: Bool
        public var follow_request_sent: Bool
        public var notifications: Bool
    }

    public struct UserEntities: Codable, Equatable, Sendable {
        public var url: URLs?
        public var description: URLs
    }

    public struct URLs: Codable, Equatable, Sendable {
        public var urls: [URLEntity]
    }

    public struct Entities: Codable, Equatable, Sendable {
        public var hashtags: [Hashtag]
        public var symbols: [String]
        public var urls: [URLEntity]
        public var user_mentions: [UserMention]
        public var media: [Media]?
    }

    public struct Hashtag: Codable, Equatable, Sendable {
        public var text: String
        public var indices: [Int]
    }

    public struct URLEntity: Codable, Equatable, Sendable {
        public var url: String
        public var expanded_url: String
        public var display_url: String
        public var indices: [Int]
    }

    public struct UserMention: Codable, Equatable, Sendable {
        public var screen_name: String
        public var name: String
        public var id: Int
        public var id_str: String
        public var indices: [Int]
    }

    public struct Media: Codable, Equatable, Sendable {
        public var id: Int
        public var id_str: String
        public var indices: [Int]
        public var media_url: String
        public var media_url_https: String
        public var url: String
        public var display_url: String
        public var expanded_url: String
        public var type: String
        public var sizes: Sizes
        public var source_status_id: Int?
        public var source_status_id_str: String?
    }

    public struct Sizes: Codable, Equatable, Sendable {
        public var medium: Size
        public var small: Size
        public var thumb: Size
        public var large: Size
    }

    public struct Size: Codable, Equatable, Sendable {
        public var w: Int
        public var h: Int
        public var resize: String
    }
}
