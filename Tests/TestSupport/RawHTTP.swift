public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Bytes written straight to a TCP socket, for what no HTTP client sends: a body cut short of its
/// `Content-Length`, a header no client would write. Runs on a thread of its own (blocking I/O
/// must not hold the cooperative threads the in-process server needs).
public enum RawHTTP {
    /// Sends `bytes` to 127.0.0.1:`port`, then (with `halfClose`) shuts the sending side so the
    /// server sees the end of the stream, and returns whatever the server answered before it
    /// closed the connection or `timeout` passed.
    public static func exchange(port: Int, _ bytes: [UInt8], halfClose: Bool = true, timeout: TimeInterval = 10) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try blockingExchange(port: port, bytes, halfClose: halfClose, timeout: timeout) })
            }
            thread.start()
        }
    }

    /// A request head (with `\r\n` line ends) followed by `body`.
    public static func request(_ head: [String], body: [UInt8] = []) -> [UInt8] {
        Array((head.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }

    struct SocketError: Error, CustomStringConvertible {
        let description: String
    }

    /// A socket connected to 127.0.0.1:`port` (the caller closes it), or `nil` when nothing accepts.
    static func connectLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8], halfClose: Bool, timeout: TimeInterval) throws -> String {
        guard let fd = connectLoopback(port: port) else { throw SocketError(description: "connect() to port \(port) failed") }
        defer { close(fd) }
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { break }
            sent += written
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
