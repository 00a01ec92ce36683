import Foundation

/// A file-system error in plain words, for messages that name the path themselves: the POSIX
/// reason ("Not a directory", "Permission denied", "No space left on device") where the error
/// carries one, else a short phrase for Foundation's code; never NSCocoaErrorDomain text.
public func fileErrorReason(_ error: any Error) -> String {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
    switch CocoaError.Code(rawValue: ns.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "No such file or directory"
    case .fileWriteFileExists: return "File exists"
    case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
    case .fileWriteOutOfSpace: return "No space left on device"
    case .fileWriteVolumeReadOnly: return "Read-only file system"
    case .fileReadCorruptFile: return "the file is damaged"
    case .fileReadTooLarge: return "the file is too large"
    default: return "file error \(ns.code)"
    }
}

/// Throws, saying why in plain words, unless the folder `url` exists or could be created: the
/// path is a file, an ancestor is not a folder, or the nearest existing ancestor is not
/// writable. Creates nothing.
public func checkFolderCanExist(_ url: URL) throws {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: url.path, isDirectory: &isDir) {
        guard isDir.boolValue else { throw ComputeError.io(path: url.path, reason: "exists and is not a folder") }
        return
    }
    var ancestor = url.deletingLastPathComponent()
    while !fm.fileExists(atPath: ancestor.path, isDirectory: &isDir), ancestor.path != "/" {
        ancestor = ancestor.deletingLastPathComponent()
    }
    if !isDir.boolValue {
        throw ComputeError.io(path: url.path, reason: "cannot be created: \(ancestor.path) is not a folder")
    }
    if !fm.isWritableFile(atPath: ancestor.path) {
        throw ComputeError.io(path: url.path, reason: "cannot be created: no permission to write in \(ancestor.path)")
    }
}

/// Throws, saying why, unless `url` could be written as a file: not a folder, in a folder that
/// exists or could be created, writable. Creates nothing.
public func checkFileCanBeWritten(_ url: URL) throws {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: url.path, isDirectory: &isDir) {
        if isDir.boolValue { throw ComputeError.io(path: url.path, reason: "is a folder; a file is needed here") }
        if !fm.isWritableFile(atPath: url.path) { throw ComputeError.io(path: url.path, reason: "is not writable") }
        return
    }
    try checkFolderCanExist(url.deletingLastPathComponent())
}

/// Creates the folder `url` (and its parents) or says in plain words why it cannot.
public func createFolder(at url: URL) throws {
    try checkFolderCanExist(url)
    do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
        throw ComputeError.io(path: url.path, reason: "cannot create the folder (\(fileErrorReason(error)))")
    }
}
