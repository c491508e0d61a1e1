/**
*  Plot
*  Copyright (c) John Sundell 2019
*  MIT license, see LICENSE file for details
*/

import Foundation

/// Enum describing various podcast media types
public enum PodcastMediaType: String {
    case audio
    case video
}
