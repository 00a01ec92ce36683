import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Open MPI, loaded at run time with dlopen: gpurun neither links libmpi nor needs it
/// installed until `--mpi` is given. Open MPI's ABI (4.x, 5.x) is used directly: a
/// communicator or datatype handle is the address of a global object, MPI_COMM_WORLD being
/// `&ompi_mpi_comm_world` and MPI_BYTE `&ompi_mpi_byte`.
public final class MPI: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer
    typealias InitFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
    typealias RankFn = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias GatherFn = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    typealias GathervFn = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, UnsafePointer<Int32>?,
                                          UnsafePointer<Int32>?, Handle, Int32, Handle) -> Int32
    typealias BcastFn = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    typealias CommFn = @convention(c) (Handle) -> Int32
    typealias SplitTypeFn = @convention(c) (Handle, Int32, Int32, Handle, UnsafeMutablePointer<Handle?>) -> Int32
    typealias CommFreeFn = @convention(c) (UnsafeMutablePointer<Handle?>) -> Int32
    typealias VoidFn = @convention(c) () -> Int32

    /// The functions and handles gpurun uses, looked up by name.
    struct Symbols {
        var world, byte, int, infoNull: Handle
        var initialize: InitFn
        var commRank, commSize: RankFn
        var splitType: SplitTypeFn
        var commFree: CommFreeFn
        var gather: GatherFn
        var gatherv: GathervFn
        var bcast: BcastFn
        var barrier: CommFn
        var finalize: VoidFn
    }

    /// Where the library was found.
    public let library: String
    public let rank: Int
    public let size: Int
    /// The rank among the ranks on this host.
    public let localRank: Int
    let s: Symbols
    private var finalized = false

    /// Library names tried in order, unless $GPURUN_MPI_LIBRARY names one.
    public static let candidates = ["libmpi.so.40", "libmpi.so"]

    /// Loads libmpi and calls MPI_Init; the error names what was missing.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let (found, symbols) = try Self.load(environment)
        (library, s) = (found, symbols)
        try Self.check(s.initialize(nil, nil), "MPI_Init")
        var r: Int32 = 0, n: Int32 = 0
        try Self.check(s.commRank(s.world, &r), "MPI_Comm_rank")
        try Self.check(s.commSize(s.world, &n), "MPI_Comm_size")
        (rank, size) = (Int(r), Int(n))
        if let l = environment["OMPI_COMM_WORLD_LOCAL_RANK"].flatMap(Int.init) {
            localRank = l
        } else {
            // The ranks sharing this host (MPI_COMM_TYPE_SHARED is 0 in Open MPI's enum).
            var local: Handle?
            try Self.check(s.splitType(s.world, 0, 0, s.infoNull, &local), "MPI_Comm_split_type")
            var l: Int32 = 0
            if let local { try Self.check(s.commRank(local, &l), "MPI_Comm_rank") }
            _ = s.commFree(&local)
            localRank = Int(l)
        }
    }

    static func load(_ environment: [String: String]) throws -> (String, Symbols) {
        var tried: [String] = []
        var handle: UnsafeMutableRawPointer?
        var found = ""
        // An explicit library is the only one tried.
        for name in environment["GPURUN_MPI_LIBRARY"].map({ [$0] }) ?? candidates {
            // RTLD_GLOBAL: Open MPI's own plugins resolve libmpi's symbols through the global scope.
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) {
                (handle, found) = (h, name)
                break
            }
            tried.append("\(name): " + (dlerror().map { String(cString: $0) } ?? "not found"))
        }
        guard let handle else {
            throw ComputeError.invalidArgument("MPI needs Open MPI's shared library, and none could be loaded ("
                + tried.joined(separator: "; ") + "). Install Open MPI (Debian/Ubuntu: apt install openmpi-bin libopenmpi-dev; "
                + "it provides libmpi.so.40), or set GPURUN_MPI_LIBRARY to the path of libmpi.so. Runs without MPI do not need it.")
        }
        func symbol(_ name: String) throws -> Handle {
            guard let p = dlsym(handle, name) else {
                let hint = name.hasPrefix("ompi_") ? " (gpurun speaks Open MPI's ABI; is it another MPI, such as MPICH?)" : ""
                throw ComputeError.invalidArgument("MPI: \(found) has no symbol \(name)\(hint)")
            }
            return p
        }
        func fn<F>(_ name: String, _: F.Type) throws -> F { unsafeBitCast(try symbol(name), to: F.self) }
        let symbols = Symbols(
            world: try symbol("ompi_mpi_comm_world"), byte: try symbol("ompi_mpi_byte"), int: try symbol("ompi_mpi_int"),
            infoNull: try symbol("ompi_mpi_info_null"), initialize: try fn("MPI_Init", InitFn.self),
            commRank: try fn("MPI_Comm_rank", RankFn.self), commSize: try fn("MPI_Comm_size", RankFn.self),
            splitType: try fn("MPI_Comm_split_type", SplitTypeFn.self), commFree: try fn("MPI_Comm_free", CommFreeFn.self),
            gather: try fn("MPI_Gather", GatherFn.self), gatherv: try fn("MPI_Gatherv", GathervFn.self),
            bcast: try fn("MPI_Bcast", BcastFn.self), barrier: try fn("MPI_Barrier", CommFn.self),
            finalize: try fn("MPI_Finalize", VoidFn.self))
        return (found, symbols)
    }

    static func check(_ code: Int32, _ call: String) throws {
        guard code == 0 else { throw ComputeError.invalidArgument("MPI: \(call) failed with error code \(code)") }
    }

    /// Every rank's bytes at `root` (MPI_Gather of the lengths, then MPI_Gatherv); nil elsewhere.
    public func gather(_ bytes: [UInt8], root: Int = 0) throws -> [[UInt8]]? {
        guard bytes.count <= Int(Int32.max) else {
            throw ComputeError.invalidArgument("MPI: rank \(rank) has \(bytes.count) bytes to send, more than MPI's int count allows")
        }
        var mine = Int32(bytes.count)
        var counts = [Int32](repeating: 0, count: rank == root ? size : 0)
        try counts.withUnsafeMutableBytes { c in
            try Self.check(s.gather(&mine, 1, s.int, c.baseAddress, 1, s.int, Int32(root), s.world), "MPI_Gather")
        }
        var displacements: [Int32] = []
        if rank == root {
            var total = 0
            for c in counts {
                displacements.append(Int32(total))
                total += Int(c)
                guard total <= Int(Int32.max) else { throw ComputeError.invalidArgument("MPI: more than 2 GiB to gather at rank \(root)") }
            }
        }
        var all = [UInt8](repeating: 0, count: rank == root ? counts.reduce(0) { $0 + Int($1) } : 0)
        try bytes.withUnsafeBytes { send in
            try all.withUnsafeMutableBytes { recv in
                try Self.check(s.gatherv(send.baseAddress, mine, s.byte, recv.baseAddress, rank == root ? counts : nil,
                                         rank == root ? displacements : nil, s.byte, Int32(root), s.world), "MPI_Gatherv")
            }
        }
        guard rank == root else { return nil }
        return counts.indices.map { Array(all[Int(displacements[$0])..<(Int(displacements[$0]) + Int(counts[$0]))]) }
    }

    /// `value` of `root` on every rank.
    public func broadcast(_ value: Int32, root: Int = 0) throws -> Int32 {
        var v = value
        try Self.check(s.bcast(&v, 1, s.int, Int32(root), s.world), "MPI_Bcast")
        return v
    }

    public func barrier() throws { try Self.check(s.barrier(s.world), "MPI_Barrier") }

    /// MPI_Finalize, once.
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        _ = s.finalize()
    }
}
