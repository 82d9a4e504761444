using System;
using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Checking
{
    /// <summary>
    /// The analyzer's search for values that would fit (CNN001, CNN002, CNN004, CNN011, CNN013): each candidate must
    /// remove the problem it fixes and bring no problem the network did not already have (<see cref="Clean"/>), so a
    /// fix never trades one error for another further down. The generator never runs this.
    /// </summary>
    internal sealed class FixSearch
    {
        /// <summary>How many values a search tries: how far it walks from the written value in one direction, or both together.</summary>
        internal const int SearchLimit = 4096;

        /// <summary>
        /// What one declaration's fixes may cost in checks of the whole network, a check of L layers costing L² (names are
        /// compared pairwise): past it, no further fix is offered. 160,000 re-checks of a 5-layer network, 400 of a 100-layer
        /// one (a third of a second), 4 of a 1,000-layer one.
        /// </summary>
        internal const long CheckBudget = 1L << 22;

        /// <summary>How many candidates that fit the layer are checked against the whole network, per direction.</summary>
        private const int NetworkChecks = 16;

        private readonly NetworkSpec _spec;
        private HashSet<(string Id, int Layer)>? _existing;
        private long _budget = CheckBudget;

        public FixSearch(NetworkSpec spec) => _spec = spec;

        private RoundingMode Network => _spec.Input.Rounding == (int)RoundingMode.Floor ? RoundingMode.Floor : RoundingMode.Exact;

        public EquatableArray<Fix> DepthFixes(int index, int depth)
        {
            LayerSpec layer = _spec.Layers[index];
            var fixes = new List<Fix>();
            if (Clean(DiagnosticIds.DepthMismatch, index, layer.With("Depth", depth)))
            {
                fixes.Add(new Fix("Depth", Text.Literal(depth), string.Empty));
            }

            if (Clean(DiagnosticIds.DepthMismatch, index, layer.With("Depth", null)))
            {
                fixes.Add(new Fix("Depth", null, string.Empty));
            }

            return EquatableArray.From(fixes);
        }

        /// <summary>CNN013: the missing axis set to the given one's size (a square window).</summary>
        public EquatableArray<Fix> SizeFixes(int index, string missing, int size)
        {
            LayerSpec candidate = _spec.Layers[index].With(missing, size);
            return Clean(DiagnosticIds.SizeMissing, index, candidate)
                ? EquatableArray.Of(new Fix(missing, Text.Literal(size), string.Empty))
                : default;
        }

        /// <summary>CNN011: the nearest group counts below and above that divide the depth and the filter count.</summary>
        public EquatableArray<Fix> GroupFixes(int index, int groups, int depth, int filters)
        {
            LayerSpec layer = _spec.Layers[index];
            List<long> divisors = CommonDivisors(depth, filters);
            int above = divisors.FindIndex(d => d > groups);
            int first = above < 0 ? divisors.Count : above;
            var fixes = new List<Fix>();
            foreach ((int start, int step) in new[] { (first - 1, -1), (first, 1) })
            {
                int checks = 0;
                for (int i = start; i >= 0 && i < divisors.Count && checks < NetworkChecks; i += step)
                {
                    long g = divisors[i];
                    checks++;
                    if (Clean(DiagnosticIds.GroupsDoNotDivide, index, g == 1 ? layer.With("Groups", null) : layer.With("Groups", (int)g)))
                    {
                        fixes.Add(g == 1 ? new Fix("Groups", null, string.Empty) : new Fix("Groups", Text.Literal(g), string.Empty));
                        break;
                    }
                }
            }

            return EquatableArray.From(fixes);
        }

        /// <summary>
        /// The counts that divide both <paramref name="a"/> and <paramref name="b"/>, ascending: the divisors of their
        /// greatest common divisor, found by trial up to its square root (at most 46,340 steps for an int), so a huge depth
        /// never means a walk over every value below it. Empty when either is below 1.
        /// </summary>
        public static List<long> CommonDivisors(long a, long b)
        {
            var low = new List<long>();
            var high = new List<long>();
            if (a < 1 || b < 1)
            {
                return low;
            }

            long gcd = a;
            for (long r = b; r != 0;)
            {
                (gcd, r) = (r, gcd % r);
            }

            for (long d = 1; d <= gcd / d; d++)
            {
                if (gcd % d == 0)
                {
                    low.Add(d);
                    if (d * d != gcd)
                    {
                        high.Add(gcd / d);
                    }
                }
            }

            high.Reverse();
            low.AddRange(high);
            return low;
        }

        /// <summary>CNN002: the largest size that fits, and the smallest padding that fits, on the axes that fail.</summary>
        public (IReadOnlyList<string> Options, EquatableArray<Fix> Fixes) DoesNotFit(int index, Window window, Volume input, int outDepth, RoundingMode rounding, bool failX, bool failY)
        {
            LayerSpec layer = _spec.Layers[index];
            var options = new List<string>();
            var fixes = new List<Fix>();

            foreach ((string property, int current) in Targets(layer, window, "Size", failX, failY))
            {
                int checks = 0;
                for (long f = current - 1L; f >= 1 && f > current - (long)SearchLimit && checks < NetworkChecks; f--)
                {
                    if (TryCandidate(DiagnosticIds.LayerDoesNotFit, index, property, (int)f, input, outDepth, rounding, ref checks) is { } fix)
                    {
                        options.Add(property + " = " + f);
                        fixes.Add(fix);
                        break;
                    }
                }
            }

            foreach ((string property, int current) in Targets(layer, window, "Padding", failX, failY))
            {
                int checks = 0;
                long limit = Math.Max(window.ExtentX, window.ExtentY);
                for (long p = current + 1L; p < limit && p < current + (long)SearchLimit && checks < NetworkChecks; p++)
                {
                    if (TryCandidate(DiagnosticIds.LayerDoesNotFit, index, property, (int)p, input, outDepth, rounding, ref checks) is { } fix)
                    {
                        options.Add(property + " = " + p);
                        fixes.Add(fix);
                        break;
                    }
                }
            }

            return (options, EquatableArray.From(fixes));
        }

        /// <summary>
        /// CNN001: the nearest stride below and above, the nearest padding, <c>PaddingMode.Same</c>, the roundings that fit,
        /// and the network-wide PyTorch rounding. A stride that would collapse the map (an output below half the floored
        /// one) is offered only when nothing else fits.
        /// </summary>
        public (IReadOnlyList<string> Options, EquatableArray<Fix> Fixes) NotExact(int index, Window window, Volume input, int outDepth, bool failX, bool failY)
        {
            LayerSpec layer = _spec.Layers[index];
            LayerKind kind = layer.Kind;
            const string id = DiagnosticIds.OutputNotInteger;
            var options = new List<string>();
            var fixes = new List<Fix>();
            var collapsing = new List<(string Option, Fix Fix)>();
            (long floorWidth, long floorHeight) = WindowLayers.OutputOf(window, input, RoundingMode.Floor);

            foreach ((string property, int current) in Targets(layer, window, "Stride", failX, failY))
            {
                var found = new List<(long Stride, Fix Fix, bool Collapses)>();
                int checks = 0;
                for (long s = current - 1L; s >= 1 && s > current - (long)SearchLimit && checks < NetworkChecks; s--)
                {
                    if (TryCandidate(id, index, property, (int)s, input, outDepth, RoundingMode.Exact, ref checks) is { } fix)
                    {
                        found.Add((s, fix, false));
                        break;
                    }
                }

                long largest = Math.Max(input.Width + window.PadLeft + window.PadRight, input.Height + window.PadTop + window.PadBottom);
                checks = 0;
                for (long s = current + 1L; s <= largest && s < current + (long)SearchLimit && checks < NetworkChecks; s++)
                {
                    if (TryCandidate(id, index, property, (int)s, input, outDepth, RoundingMode.Exact, ref checks) is { } fix)
                    {
                        (long width, long height) = OutputOf(layer.With(property, (int)s), input, RoundingMode.Exact);
                        found.Add((s, fix, (failX && width * 2 < floorWidth) || (failY && height * 2 < floorHeight)));
                        break;
                    }
                }

                var sensible = found.FindAll(f => !f.Collapses);
                if (sensible.Count > 0)
                {
                    options.Add(property + " = " + Text.Or(sensible.ConvertAll(f => Text.Literal(f.Stride))));
                    fixes.AddRange(sensible.ConvertAll(f => f.Fix));
                }

                foreach ((long stride, Fix fix, bool collapses) in found)
                {
                    if (collapses)
                    {
                        collapsing.Add((property + " = " + stride, fix));
                    }
                }
            }

            // The nearest padding that fits, nearer ones first (the lower of two at the same distance).
            foreach ((string property, int current) in Targets(layer, window, "Padding", failX, failY))
            {
                int checks = 0;
                foreach (long p in Nearest(current, Math.Max(window.ExtentX, window.ExtentY) - 1))
                {
                    if (checks >= NetworkChecks)
                    {
                        break;
                    }

                    if (TryCandidate(id, index, property, (int)p, input, outDepth, RoundingMode.Exact, ref checks) is { } fix)
                    {
                        options.Add(property + " = " + p);
                        fixes.Add(fix);
                        break;
                    }
                }
            }

            // PaddingMode.Same: output ⌈W/S⌉ by definition, replacing the padding the user wrote.
            LayerSpec same = layer.With("PaddingMode", WindowLayers.Same).With("Rounding", null);
            var removed = new List<string>();
            foreach (string property in WindowLayers.PaddingProperties)
            {
                if (layer.Has(property))
                {
                    removed.Add(property);
                    same = same.With(property, null);
                }
            }

            if (layer.Has("Rounding"))
            {
                removed.Add("Rounding");
            }

            if (Clean(id, index, same))
            {
                options.Add("PaddingMode = PaddingMode.Same");
                fixes.Add(new Fix("PaddingMode", "PaddingMode.Same", Text.Shape((input.Width + (long)window.StrideX - 1) / window.StrideX, (input.Height + (long)window.StrideY - 1) / window.StrideY, outDepth), string.Join(",", removed)));
            }

            var roundings = new List<string>();
            foreach (RoundingMode rounding in LayerKinds.IsPool(kind) ? new[] { RoundingMode.Floor, RoundingMode.Ceil } : new[] { RoundingMode.Floor })
            {
                if (Clean(id, index, layer.With("Rounding", (int)rounding)))
                {
                    roundings.Add("OutputRounding." + rounding);
                    fixes.Add(new Fix("Rounding", "OutputRounding." + rounding, WindowLayers.OutputText(window, input, outDepth, rounding)));
                }
            }

            // PyTorch's rounding for every layer at once, on [Input]: only where the layer takes the network's rounding.
            bool network = false;
            if (!layer.Has("Rounding") && _spec.Input.Rounding != (int)RoundingMode.Floor &&
                CleanNetwork(id, index, _spec with { Input = _spec.Input with { Rounding = (int)RoundingMode.Floor } }))
            {
                network = true;
                fixes.Add(new Fix(FixProtocol.InputPrefix + "Rounding", "OutputRounding.Floor", string.Empty));
            }

            if (roundings.Count > 0)
            {
                options.Add("Rounding = " + Text.Or(roundings) + (network ? " (here, or on Input for the whole network)" : string.Empty));
            }

            if (fixes.Count == 0)
            {
                foreach ((string option, Fix fix) in collapsing)
                {
                    options.Add(option);
                    fixes.Add(fix);
                }
            }

            return (options, EquatableArray.From(fixes));
        }

        /// <summary>
        /// The properties a fix of <paramref name="family"/> (Size, Stride, Padding) should set for the failing axes, each
        /// with the axis's current value: the axis property when the user set one of the two axes apart, else the plain
        /// one (for Size, the constructor argument). An axis padded per side gets no padding fix.
        /// </summary>
        private static List<(string Property, int Current)> Targets(LayerSpec layer, Window window, string family, bool failX, bool failY)
        {
            var targets = new List<(string, int)>();
            foreach ((bool fails, string axis, string other, int value) in new[]
            {
                (failX, "X", "Y", family == "Size" ? window.SizeX : family == "Stride" ? window.StrideX : window.PadLeft),
                (failY, "Y", "X", family == "Size" ? window.SizeY : family == "Stride" ? window.StrideY : window.PadTop),
            })
            {
                if (!fails)
                {
                    continue;
                }

                if (family == "Padding" && (axis == "X" ? layer.Has("PaddingLeft") || layer.Has("PaddingRight") : layer.Has("PaddingTop") || layer.Has("PaddingBottom")))
                {
                    continue;
                }

                string property;
                if (layer.Has(family + axis) || layer.Has(family + other) || (family == "Size" && WindowLayers.ConstructorSize(layer) == 0))
                {
                    property = family + axis;
                }
                else
                {
                    property = family == "Size" ? FixProtocol.Size : family;
                }

                if (!targets.Exists(t => t.Item1 == property))
                {
                    targets.Add((property, value));
                }
            }

            return targets;
        }

        /// <summary>
        /// The values from 0 to <paramref name="limit"/> other than <paramref name="current"/>, nearest to it first (the
        /// lower of two at the same distance), at most <see cref="SearchLimit"/> of them. A current value far outside the
        /// range starts at the range's nearer end rather than walking the distance to it.
        /// </summary>
        internal static IEnumerable<long> Nearest(long current, long limit)
        {
            long below = Math.Min(current - 1, limit);
            long above = Math.Max(current + 1, 0);
            for (int taken = 0; taken < SearchLimit && (below >= 0 || above <= limit); taken++)
            {
                if (below >= 0 && (above > limit || current - below <= above - current))
                {
                    yield return below--;
                }
                else
                {
                    yield return above++;
                }
            }
        }

        /// <summary>The fix setting <paramref name="property"/> to <paramref name="value"/>, when the layer then fits and the network is clean.</summary>
        private Fix? TryCandidate(string id, int index, string property, int value, Volume input, int outDepth, RoundingMode rounding, ref int checks)
        {
            LayerSpec layer = _spec.Layers[index];
            LayerSpec candidate = property == FixProtocol.Size ? layer.WithArgument(WindowLayers.SizeArgument(layer.Kind), value) : layer.With(property, value);
            (Window window, RoundingMode resolved) = WindowLayers.Read(candidate, input, layer.Has("Rounding") ? rounding : Network);
            if (!WindowLayers.Fits(layer.Kind, window, input, resolved))
            {
                return null;
            }

            checks++;
            return Clean(id, index, candidate) ? new Fix(property, Text.Literal(value), WindowLayers.OutputText(window, input, outDepth, resolved)) : null;
        }

        private (long Width, long Height) OutputOf(LayerSpec layer, Volume input, RoundingMode rounding)
        {
            (Window window, RoundingMode resolved) = WindowLayers.Read(layer, input, rounding);
            return WindowLayers.OutputOf(window, input, resolved);
        }

        private bool Clean(string id, int index, LayerSpec candidate)
        {
            var layers = new LayerSpec[_spec.Layers.Count];
            for (int i = 0; i < layers.Length; i++)
            {
                layers[i] = i == index ? candidate : _spec.Layers[i];
            }

            return CleanNetwork(id, index, _spec with { Layers = new EquatableArray<LayerSpec>(layers) });
        }

        /// <summary>
        /// Whether <paramref name="candidate"/> no longer has problem <paramref name="id"/> on layer <paramref name="index"/>
        /// and has no shape or range problem the declaration did not have already.
        /// </summary>
        private bool CleanNetwork(string id, int index, NetworkSpec candidate)
        {
            _budget -= Math.Max(1L, (long)candidate.Layers.Count * candidate.Layers.Count);
            if (_budget < 0)
            {
                return false;
            }

            _existing ??= ShapeProblems(_spec);
            foreach ((string Id, int Layer) problem in ShapeProblems(candidate))
            {
                if ((problem.Id == id && problem.Layer == index) || !_existing.Contains(problem))
                {
                    return false;
                }
            }

            return true;
        }

        private static HashSet<(string Id, int Layer)> ShapeProblems(NetworkSpec spec)
        {
            var found = new HashSet<(string, int)>();
            foreach (Problem problem in NetworkChecker.Check(spec, analyze: false, System.Threading.CancellationToken.None).Problems)
            {
                if (problem.Id is not (DiagnosticIds.BadName or DiagnosticIds.BadKey or DiagnosticIds.InternalError))
                {
                    found.Add((problem.Id, problem.Layer));
                }
            }

            return found;
        }
    }
}
