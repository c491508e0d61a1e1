import Foundation

/// Min-cost max-flow by successive shortest paths with potentials (primal–dual): Dijkstra on reduced
/// costs finds the next distance layer, then a blocking flow (Dinic) pushes along every zero-reduced-cost
/// path of that layer at once, so a few hundred Dijkstra runs serve thousands of units of flow.
/// All edge costs must be non-negative, which lets the potentials start at zero.
struct MinCostFlowNetwork {
    private(set) var nodeCount: Int
    private var head: [Int32]
    private var next: [Int32] = []
    private var to: [Int32] = []
    private var capacity: [Int32] = []
    private var cost: [Int64] = []
    private var original: [Int32] = []
    /// Node potentials after `solve`: every residual edge has non-negative reduced cost, which is what
    /// certifies optimality and lets the caller test edges it left out.
    private(set) var potential: [Int64]

    init(nodeCount: Int) {
        self.nodeCount = nodeCount
        head = [Int32](repeating: -1, count: nodeCount)
        potential = [Int64](repeating: 0, count: nodeCount)
    }

    mutating func addNode() -> Int {
        head.append(-1)
        potential.append(0)
        nodeCount += 1
        return nodeCount - 1
    }

    /// Returns the forward edge's index; its reverse is `index ^ 1`.
    @discardableResult
    mutating func addEdge(from u: Int, to v: Int, capacity c: Int, cost w: Int64) -> Int {
        precondition(w >= 0 && c >= 0, "min-cost flow needs non-negative costs and capacities")
        let index = to.count
        to.append(Int32(v)); capacity.append(Int32(c)); cost.append(w); original.append(Int32(c)); next.append(head[u]); head[u] = Int32(index)
        to.append(Int32(u)); capacity.append(0); cost.append(-w); original.append(0); next.append(head[v]); head[v] = Int32(index + 1)
        return index
    }

    var edgeCount: Int { to.count / 2 }

    func flow(_ edge: Int) -> Int { Int(original[edge] - capacity[edge]) }

    /// Pushes as much flow as possible from `source` to `sink` at the least total cost.
    mutating func solve(source: Int, sink: Int) -> (flow: Int, cost: Int64, dijkstraRuns: Int) {
        let n = nodeCount
        var dist = [Int64](repeating: .max, count: n)
        var level = [Int32](repeating: -1, count: n)
        var iterator = [Int32](repeating: -1, count: n)
        var queue = [Int32](repeating: 0, count: n)
        var heap = MinCostFlowHeap()
        var totalFlow = 0, totalCost: Int64 = 0, runs = 0
        while true {
            // Dijkstra on reduced costs, stopped once the sink is settled.
            runs += 1
            for v in 0..<n { dist[v] = .max }
            dist[source] = 0
            heap.removeAll()
            heap.push(0, Int32(source))
            while let (d, u32) = heap.pop() {
                let u = Int(u32)
                if d > dist[u] { continue }
                if u == sink { break }
                var e = Int(head[u])
                while e >= 0 {
                    if capacity[e] > 0 {
                        let v = Int(to[e])
                        let nd = d + cost[e] + potential[u] - potential[v]
                        if nd < dist[v] { dist[v] = nd; heap.push(nd, Int32(v)) }
                    }
                    e = Int(next[e])
                }
            }
            let reach = dist[sink]
            if reach == .max { break }
            for v in 0..<n { potential[v] += min(dist[v], reach) }

            // Blocking flows along zero-reduced-cost edges until the sink drops out of that subgraph.
            while true {
                for v in 0..<n { level[v] = -1 }
                level[source] = 0
                queue[0] = Int32(source)
                var qh = 0, qt = 1
                while qh < qt {
                    let u = Int(queue[qh]); qh += 1
                    // Nodes at or past the sink's level cannot lie on a shortest admissible path.
                    if level[sink] >= 0 && level[u] >= level[sink] { break }
                    var e = Int(head[u])
                    while e >= 0 {
                        let v = Int(to[e])
                        if capacity[e] > 0 && level[v] < 0 && cost[e] + potential[u] - potential[v] == 0 {
                            level[v] = level[u] + 1
                            queue[qt] = Int32(v); qt += 1
                        }
                        e = Int(next[e])
                    }
                }
                if level[sink] < 0 { break }
                for v in 0..<n { iterator[v] = head[v] }
                var path: [Int32] = []
                var u = source
                while true {
                    if u == sink {
                        var push = Int32.max
                        for e in path { push = min(push, capacity[Int(e)]) }
                        var retreat = path.count
                        for (i, e32) in path.enumerated() {
                            let e = Int(e32)
                            capacity[e] -= push
                            capacity[e ^ 1] += push
                            totalCost += Int64(push) * cost[e]
                            if capacity[e] == 0 && i < retreat { retreat = i }
                        }
                        totalFlow += Int(push)
                        u = Int(to[Int(path[retreat]) ^ 1])
                        path.removeLast(path.count - retreat)
                        continue
                    }
                    var advanced = false
                    while iterator[u] >= 0 {
                        let e = Int(iterator[u])
                        let v = Int(to[e])
                        if capacity[e] > 0 && level[v] == level[u] + 1 && cost[e] + potential[u] - potential[v] == 0 {
                            path.append(Int32(e))
                            u = v
                            advanced = true
                            break
                        }
                        iterator[u] = next[e]
                    }
                    if advanced { continue }
                    if u == source { break }
                    level[u] = -1
                    let back = Int(path.removeLast())
                    u = Int(to[back ^ 1])
                    iterator[u] = next[back]
                }
            }
        }
        return (totalFlow, totalCost, runs)
    }
}

/// A binary min-heap of (distance, node), with lazy deletion left to the caller.
private struct MinCostFlowHeap {
    private var keys: [Int64] = []
    private var nodes: [Int32] = []

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true)
    }

    mutating func push(_ key: Int64, _ node: Int32) {
        keys.append(key); nodes.append(node)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if keys[parent] <= keys[i] { break }
            keys.swapAt(parent, i); nodes.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> (Int64, Int32)? {
        guard let top = keys.first else { return nil }
        let node = nodes[0]
        let lastKey = keys.removeLast(), lastNode = nodes.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey; nodes[0] = lastNode
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < keys.count && keys[l] < keys[m] { m = l }
                if r < keys.count && keys[r] < keys[m] { m = r }
                if m == i { break }
                keys.swapAt(m, i); nodes.swapAt(m, i)
                i = m
            }
        }
        return (top, node)
    }
}
