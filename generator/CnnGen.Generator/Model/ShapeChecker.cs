using System;
using System.Collections.Generic;
using System.Threading;
using CnnGen.Shapes;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Generator.Model
{
    /// <summary>The outcome of checking a network: its layers when every shape is known and valid, and every problem found.</summary>
    internal sealed class CheckResult
    {
        public CheckResult(LayerModel[]? layers, List<Problem> problems, List<Problem> notes, long parameterCount)
        {
            Layers = layers;
            Problems = problems;
            Notes = notes;
            ParameterCount = parameterCount;
        }

        /// <summary>All layers with shapes, or null when a problem stopped shape inference or any error was found.</summary>
        public LayerModel[]? Layers { get; }

        /// <summary>Errors (CNN001–CNN007).</summary>
        public List<Problem> Problems { get; }

        /// <summary>Informational notes (CNN009).</summary>
        public List<Problem> Notes { get; }

        public long ParameterCount { get; }
    }

    /// <summary>
    /// Infers shapes through the whole network and finds every problem, from plain values (no Roslyn
    /// symbols), so the analyzer and the generator agree and the rules can be tested directly.
    /// </summary>
    internal static class ShapeChecker
    {
        /// <summary>Members every network gets; a layer name may not take one of these.</summary>
        public static readonly string[] FixedMembers =
        {
            "InputWidth", "InputHeight", "InputDepth", "InputLength", "OutputLength", "ParameterCount",
            "Parameters", "SetParameters", "Forward", "ForwardBatch", "LoadSafetensors", "SaveSafetensors",
            "MaxActivationLength", "MaxPaddedLength", "Relu", "Unsafe", "MemoryMarshal", "_parameters",
            "t_activationA", "t_activationB", "t_padded", "s_tensors", "_packed", "t_phases", "t_wide", "t_packed",
            "MaxPhaseLength", "MaxWideLength", "MaxPackedLength",
        };

        private const int SearchLimit = 4096;

        /// <summary>The default name of the <paramref name="index"/>-th (1-based) layer of a kind.</summary>
        public static string DefaultName(LayerKind kind, int index) => kind switch
        {
            LayerKind.Conv => "Conv" + index,
            LayerKind.MaxPool => "Pool" + index,
            LayerKind.FullyConnected => "Fc" + index,
            _ => "Relu" + index,
        };

        /// <summary>Every member the generator emits for a layer called <paramref name="name"/>.</summary>
        public static IEnumerable<string> MembersOf(string name, LayerKind kind)
        {
            if (kind == LayerKind.Relu)
            {
                yield break;
            }

            yield return name;
            yield return name + "Kernel";
            yield return name + "Dispatch";
            yield return name + "Vector";
            foreach (string side in new[] { "Input", "Output" })
            {
                yield return name + side + "Width";
                yield return name + side + "Height";
                yield return name + side + "Depth";
                yield return name + side + "Length";
            }

            if (kind is LayerKind.Conv or LayerKind.FullyConnected)
            {
                yield return name + "WeightOffset";
                yield return name + "WeightLength";
                yield return name + "BiasOffset";
                yield return name + "BiasLength";
            }
        }

        public static CheckResult Check(string className, InputSpec input, IReadOnlyList<LayerSpec> specs, CancellationToken cancellationToken)
        {
            var problems = new List<Problem>();
            var notes = new List<Problem>();
            string[] names = AssignNames(className, specs, problems);

            bool shapesKnown = CheckInputRanges(input, problems);
            for (int i = 0; i < specs.Count; i++)
            {
                shapesKnown &= CheckRanges(names[i], i, specs[i], problems);
            }

            var layers = new List<LayerModel>();
            long parameters = 0;
            long width = input.Width, height = input.Height, depth = input.Depth;
            for (int i = 0; i < specs.Count && shapesKnown; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                LayerModel? layer = Infer(names[i], i, specs[i], width, height, depth, ref parameters, problems);
                if (layer is null)
                {
                    shapesKnown = false;
                    break;
                }

                layers.Add(layer);
                width = layer.OutputWidth;
                height = layer.OutputHeight;
                depth = layer.OutputDepth;

                UnrollLevel level = layer.Kind is LayerKind.Conv or LayerKind.MaxPool ? Unrolling.LevelOf(layer) : UnrollLevel.Full;
                if (level != UnrollLevel.Full)
                {
                    string terms = layer.Kind == LayerKind.Conv
                        ? "F\u00B7F\u00B7D = " + layer.Size + "\u00B7" + layer.Size + "\u00B7" + layer.InputDepth + " = " + Text.Grouped(layer.WindowTerms) + " multiply-adds"
                        : "F\u00B7F = " + Text.Grouped(layer.WindowTerms) + " comparisons";
                    notes.Add(new Problem(
                        "CNN009",
                        i,
                        ArgumentSlot.Attribute,
                        layer.Name + ": " + terms + " per output exceed the unroll budget of " + Unrolling.Budget + "; " + Unrolling.Describe(layer, level)));
                }
            }

            LayerModel[]? result = shapesKnown && problems.Count == 0 ? layers.ToArray() : null;
            if (result is not null)
            {
                notes.Add(new Problem("CNN010", Problem.ClassName, ArgumentSlot.Attribute, ShapeReport(className, input, result, parameters)));
            }
            return new CheckResult(result, problems, notes, parameters);
        }

        private static string[] AssignNames(string className, IReadOnlyList<LayerSpec> specs, List<Problem> problems)
        {
            var names = new string[specs.Count];
            var explicitName = new bool[specs.Count];
            var counters = new Dictionary<LayerKind, int>();
            for (int i = 0; i < specs.Count; i++)
            {
                LayerSpec spec = specs[i];
                counters.TryGetValue(spec.Kind, out int count);
                counters[spec.Kind] = ++count;
                names[i] = DefaultName(spec.Kind, count);
                if (spec.Name is null || spec.Kind == LayerKind.Relu)
                {
                    continue;
                }

                if (!SyntaxFacts.IsValidIdentifier(spec.Name))
                {
                    problems.Add(new Problem("CNN007", i, ArgumentSlot.Name, names[i] + ": Name = \"" + spec.Name + "\" is not a valid C# identifier; a name such as \"" + names[i] + "\" would fit"));
                }
                else if (SyntaxFacts.GetKeywordKind(spec.Name) != SyntaxKind.None)
                {
                    problems.Add(new Problem("CNN007", i, ArgumentSlot.Name, names[i] + ": Name = \"" + spec.Name + "\" is a C# keyword; a name such as \"" + ToPascal(spec.Name) + "\" would fit"));
                }
                else
                {
                    names[i] = spec.Name;
                    explicitName[i] = true;
                }
            }

            var fixedMembers = new HashSet<string>(FixedMembers, StringComparer.Ordinal) { className };
            var members = new HashSet<string>[specs.Count];
            for (int i = 0; i < specs.Count; i++)
            {
                members[i] = new HashSet<string>(MembersOf(names[i], specs[i].Kind), StringComparer.Ordinal);
            }

            for (int i = 0; i < specs.Count; i++)
            {
                if (!explicitName[i])
                {
                    continue;
                }

                string name = names[i];
                string? clash = null;
                foreach (string member in members[i])
                {
                    if (fixedMembers.Contains(member))
                    {
                        clash = member == className
                            ? "is the name of the network class itself"
                            : "clashes with the generated member " + member;
                        break;
                    }
                }

                for (int j = 0; j < specs.Count && clash is null; j++)
                {
                    // Two explicit names that collide are reported once, on the later layer.
                    if (j == i || (explicitName[j] && j > i))
                    {
                        continue;
                    }

                    foreach (string member in members[i])
                    {
                        if (members[j].Contains(member))
                        {
                            clash = member == names[j]
                                ? "is already the name of layer " + (j + 1) + " (" + KindText(specs[j].Kind) + "); layer names must be unique in the network"
                                : "clashes with the generated member " + member + " of layer " + names[j];
                            break;
                        }
                    }
                }

                if (clash is not null)
                {
                    problems.Add(new Problem("CNN007", i, ArgumentSlot.Name, DefaultName(specs[i].Kind, KindIndex(specs, i)) + ": Name = \"" + name + "\" " + clash + "; choose another name"));
                }
            }

            return names;
        }

        /// <summary>"LeNet5: input 32x32x3; Conv1+ReLU 28x28x6 (456 parameters); Pool1 14x14x6; …; 61,706 parameters in all".</summary>
        public static string ShapeReport(string className, InputSpec input, IReadOnlyList<LayerModel> layers, long parameters)
        {
            var parts = new List<string> { "input " + Text.Shape(input.Width, input.Height, input.Depth) };
            for (int i = 0; i < layers.Count; i++)
            {
                LayerModel layer = layers[i];
                if (layer.Kind == LayerKind.Relu)
                {
                    if (i == 0 || layers[i - 1].Kind == LayerKind.Relu)
                    {
                        parts.Add("ReLU");
                    }

                    continue;
                }

                string name = layer.Name + (i + 1 < layers.Count && layers[i + 1].Kind == LayerKind.Relu ? "+ReLU" : string.Empty);
                string shape = layer.Kind == LayerKind.FullyConnected ? Text.Literal(layer.OutputDepth) : Text.Shape(layer.OutputWidth, layer.OutputHeight, layer.OutputDepth);
                parts.Add(name + " " + shape + (layer.HasParameters ? " (" + Text.Grouped((long)layer.WeightLength + layer.BiasLength) + " parameters)" : string.Empty));
            }

            return className + ": " + string.Join("; ", parts) + "; " + Text.Grouped(parameters) + " parameters in all";
        }

        /// <summary>A product of non-negative sizes that saturates at <see cref="long.MaxValue"/> instead of wrapping.</summary>
        private static long Mul(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

        /// <summary>The 1-based index of layer <paramref name="layer"/> among the layers of its kind.</summary>
        private static int KindIndex(IReadOnlyList<LayerSpec> specs, int layer)
        {
            int index = 0;
            for (int i = 0; i <= layer; i++)
            {
                if (specs[i].Kind == specs[layer].Kind)
                {
                    index++;
                }
            }

            return index;
        }

        private static bool CheckInputRanges(InputSpec input, List<Problem> problems)
        {
            int before = problems.Count;
            AtLeastOne("Input", Problem.InputLayer, ArgumentSlot.Positional0, "width", input.Width, problems);
            AtLeastOne("Input", Problem.InputLayer, ArgumentSlot.Positional1, "height", input.Height, problems);
            AtLeastOne("Input", Problem.InputLayer, ArgumentSlot.Positional2, "depth", input.Depth, problems);
            if (problems.Count == before)
            {
                long length = Mul(Mul(input.Width, input.Height), input.Depth);
                if (length > int.MaxValue)
                {
                    problems.Add(TooLarge("Input", Problem.InputLayer, "input volume " + Text.Shape(input.Width, input.Height, input.Depth), length));
                }
            }

            return problems.Count == before;
        }

        private static bool CheckRanges(string name, int layer, LayerSpec spec, List<Problem> problems)
        {
            int before = problems.Count;
            switch (spec.Kind)
            {
                case LayerKind.Conv:
                    AtLeastOne(name, layer, ArgumentSlot.Positional0, "filters", spec.Count, problems);
                    AtLeastOne(name, layer, ArgumentSlot.Positional1, "size", spec.Size, problems);
                    AtLeastOne(name, layer, ArgumentSlot.Stride, "Stride", spec.Stride, problems);
                    NotNegative(name, layer, ArgumentSlot.Padding, "Padding", spec.Padding, problems);
                    if (spec.Depth < 0)
                    {
                        problems.Add(new Problem("CNN003", layer, ArgumentSlot.Depth, name + ": Depth = " + Text.Int(spec.Depth) + " is out of range: it must be 0 (the input depth) or the input depth itself"));
                    }

                    if (spec.Rounding == (int)RoundingMode.Ceil)
                    {
                        problems.Add(new Problem("CNN003", layer, ArgumentSlot.Rounding, name + ": Rounding = Ceil applies to pools only; Rounding = Exact or Floor would fit a conv"));
                    }
                    else
                    {
                        DefinedRounding(name, layer, spec.Rounding, problems);
                    }

                    break;

                case LayerKind.MaxPool:
                    AtLeastOne(name, layer, ArgumentSlot.Positional0, "size", spec.Size, problems);
                    if (spec.Stride < 0)
                    {
                        problems.Add(new Problem("CNN003", layer, ArgumentSlot.Stride, name + ": Stride = " + Text.Int(spec.Stride) + " is out of range: it must be at least 1, or 0 for the window size"));
                    }

                    NotNegative(name, layer, ArgumentSlot.Padding, "Padding", spec.Padding, problems);
                    if (spec.Size >= 1 && spec.Padding >= spec.Size)
                    {
                        problems.Add(new Problem("CNN003", layer, ArgumentSlot.Padding, name + ": Padding = " + Text.Int(spec.Padding) + " must be below the window size " + spec.Size + " (a window would lie wholly in the \u2212\u221E padding); Padding = " + (spec.Size - 1) + " or less would fit"));
                    }

                    DefinedRounding(name, layer, spec.Rounding, problems);
                    break;

                case LayerKind.FullyConnected:
                    AtLeastOne(name, layer, ArgumentSlot.Positional0, "outputs", spec.Count, problems);
                    break;
            }

            return problems.Count == before;
        }

        private static LayerModel? Infer(string name, int layer, LayerSpec spec, long width, long height, long depth, ref long parameters, List<Problem> problems)
        {
            switch (spec.Kind)
            {
                case LayerKind.Relu:
                    return new LayerModel(LayerKind.Relu, name, (int)width, (int)height, (int)depth, (int)width, (int)height, (int)depth, 0, 0, 0, RoundingMode.Exact, 0, 0, 0, 0, false, 0, 0);

                case LayerKind.FullyConnected:
                {
                    long inputs = Mul(Mul(width, height), depth);
                    long weights = Mul(inputs, spec.Count);
                    if (weights > int.MaxValue)
                    {
                        problems.Add(TooLarge(name, layer, "weight " + Text.Literal(spec.Count) + "x" + Text.Literal(inputs), weights));
                        return null;
                    }

                    int fcOffset = (int)parameters;
                    if (!AddParameters(name, layer, weights + spec.Count, ref parameters, problems))
                    {
                        return null;
                    }

                    return new LayerModel(LayerKind.FullyConnected, name, (int)width, (int)height, (int)depth, 1, 1, spec.Count, 0, 0, 0, RoundingMode.Exact, fcOffset, (int)weights, fcOffset + (int)weights, spec.Count, false, 0, 0);
                }
            }

            bool conv = spec.Kind == LayerKind.Conv;
            int size = spec.Size;
            int stride = !conv && spec.Stride == 0 ? size : spec.Stride;
            int padding = spec.Padding;
            var rounding = (RoundingMode)spec.Rounding;
            bool ok = true;

            if (conv && spec.Depth != 0 && spec.Depth != depth)
            {
                problems.Add(new Problem("CNN004", layer, ArgumentSlot.Depth, name + ": Depth = " + Text.Int(spec.Depth) + " does not match the input depth " + depth + " (filters span the full input depth); Depth = " + depth + ", or no Depth, would fit",
                    new[] { new Fix("Depth", Text.Literal(depth), string.Empty), new Fix("Depth", null, string.Empty) }));
                ok = false;
            }

            long outWidth = ShapeMath.OutputSize(width, size, stride, padding, rounding);
            long outHeight = ShapeMath.OutputSize(height, size, stride, padding, rounding);
            if (outWidth < 1 || outHeight < 1)
            {
                bool byWidth = outWidth < 1;
                long axis = byWidth ? width : height;
                var options = new List<string>();
                var fixes = new List<Fix>();
                long outDepthIfFixed = conv ? spec.Count : depth;
                for (long f = Math.Min(size - 1L, Math.Min(width, height) + (2L * padding)); f >= 1 && f > size - SearchLimit; f--)
                {
                    if (Fits(spec.Kind, width, height, f, stride, padding, rounding))
                    {
                        options.Add("Size = " + f);
                        fixes.Add(new Fix("Size", Text.Literal(f), OutputShape(width, height, outDepthIfFixed, f, stride, padding, rounding)));
                        break;
                    }
                }

                for (long p = padding + 1L; p < size && p < padding + (long)SearchLimit; p++)
                {
                    if (Fits(spec.Kind, width, height, size, stride, p, rounding))
                    {
                        options.Add("Padding = " + p);
                        fixes.Add(new Fix("Padding", Text.Literal(p), OutputShape(width, height, outDepthIfFixed, size, stride, p, rounding)));
                        break;
                    }
                }

                problems.Add(new Problem(
                    "CNN002",
                    layer,
                    ArgumentSlot.Attribute,
                    name + ": the " + size + "x" + size + " window does not fit the " + width + "x" + height + " input with Padding = " + padding + ": output " + (byWidth ? "width" : "height") + " " + Formula(axis, size, padding, stride) + " = " + Text.Int(byWidth ? outWidth : outHeight) + " is below 1; " + Text.WouldFit(options),
                    fixes));
                return null;
            }

            if (rounding == RoundingMode.Exact)
            {
                bool exactWidth = ShapeMath.IsExact(width, size, stride, padding);
                bool exactHeight = ShapeMath.IsExact(height, size, stride, padding);
                if (!exactWidth || !exactHeight)
                {
                    var fixes = new List<Fix>();
                    List<string> options = ExactOptions(spec.Kind, width, height, size, stride, padding, conv ? spec.Count : depth, fixes);
                    if (!exactWidth)
                    {
                        problems.Add(NotInteger(name, layer, "width", width, size, stride, padding, options) with { Fixes = fixes });
                    }

                    if (!exactHeight && (exactWidth || height != width))
                    {
                        problems.Add(NotInteger(name, layer, "height", height, size, stride, padding, options) with { Fixes = fixes });
                    }

                    return null;
                }
            }

            if (!ok)
            {
                return null;
            }

            long outDepth = conv ? spec.Count : depth;
            long outLength = Mul(Mul(outWidth, outHeight), outDepth);
            if (outLength > int.MaxValue)
            {
                problems.Add(TooLarge(name, layer, "output volume " + Text.Shape(outWidth, outHeight, outDepth), outLength));
                return null;
            }

            long extentWidth = ShapeMath.WindowExtent(outWidth, size, stride);
            long extentHeight = ShapeMath.WindowExtent(outHeight, size, stride);
            bool paddedCopy = padding > 0 || extentWidth > width || extentHeight > height;
            long sourceWidth = paddedCopy ? Math.Max(extentWidth, width + (2L * padding)) : width;
            long sourceHeight = paddedCopy ? Math.Max(extentHeight, height + (2L * padding)) : height;
            long sourceLength = Mul(Mul(sourceWidth, sourceHeight), depth);
            if (sourceLength > int.MaxValue)
            {
                problems.Add(TooLarge(name, layer, "padded input " + Text.Shape(sourceWidth, sourceHeight, depth), sourceLength));
                return null;
            }

            int weightOffset = 0, weightLength = 0, biasOffset = 0, biasLength = 0;
            if (conv)
            {
                long weights = Mul(Mul(Mul(spec.Count, depth), size), size);
                if (weights > int.MaxValue)
                {
                    problems.Add(TooLarge(name, layer, "weight " + spec.Count + "x" + depth + "x" + size + "x" + size, weights));
                    return null;
                }

                weightOffset = (int)parameters;
                if (!AddParameters(name, layer, weights + spec.Count, ref parameters, problems))
                {
                    return null;
                }

                weightLength = (int)weights;
                biasOffset = weightOffset + weightLength;
                biasLength = spec.Count;
            }

            return new LayerModel(
                spec.Kind, name, (int)width, (int)height, (int)depth, (int)outWidth, (int)outHeight, (int)outDepth,
                size, stride, padding, rounding, weightOffset, weightLength, biasOffset, biasLength,
                paddedCopy, (int)sourceWidth, (int)sourceHeight);
        }

        /// <summary>Whether a conv or pool with these values gives a valid output on both axes.</summary>
        private static bool Fits(LayerKind kind, long width, long height, long size, long stride, long padding, RoundingMode rounding)
        {
            if (size < 1 || stride < 1 || padding < 0 || (kind == LayerKind.MaxPool && padding >= size))
            {
                return false;
            }

            if (rounding == RoundingMode.Exact &&
                (!ShapeMath.IsExact(width, size, stride, padding) || !ShapeMath.IsExact(height, size, stride, padding)))
            {
                return false;
            }

            return ShapeMath.OutputSize(width, size, stride, padding, rounding) >= 1 &&
                   ShapeMath.OutputSize(height, size, stride, padding, rounding) >= 1;
        }

        /// <summary>"11x11x6": the output of a conv or pool with these values.</summary>
        private static string OutputShape(long width, long height, long depth, long size, long stride, long padding, RoundingMode rounding) =>
            Text.Shape(ShapeMath.OutputSize(width, size, stride, padding, rounding), ShapeMath.OutputSize(height, size, stride, padding, rounding), depth);

        private static List<string> ExactOptions(LayerKind kind, long width, long height, int size, int stride, int padding, long outDepth, List<Fix> fixes)
        {
            var options = new List<string>();
            var strides = new List<long>();
            for (long s = stride - 1L; s >= 1 && s > stride - (long)SearchLimit; s--)
            {
                if (Fits(kind, width, height, size, s, padding, RoundingMode.Exact))
                {
                    strides.Add(s);
                    break;
                }
            }

            long largestSpan = Math.Max(ShapeMath.Span(width, size, padding), ShapeMath.Span(height, size, padding));
            for (long s = stride + 1L; s <= largestSpan && s < stride + (long)SearchLimit; s++)
            {
                if (Fits(kind, width, height, size, s, padding, RoundingMode.Exact))
                {
                    strides.Add(s);
                    break;
                }
            }

            if (strides.Count > 0)
            {
                options.Add("Stride = " + Text.Or(strides.ConvertAll(Text.Literal)));
                foreach (long s in strides)
                {
                    fixes.Add(new Fix("Stride", Text.Literal(s), OutputShape(width, height, outDepth, size, s, padding, RoundingMode.Exact)));
                }
            }

            long bestPadding = -1;
            long limit = Math.Min(size - 1L, padding + (long)SearchLimit);
            for (long p = Math.Max(0, padding - (long)SearchLimit); p <= limit; p++)
            {
                if (p != padding && Fits(kind, width, height, size, stride, p, RoundingMode.Exact) &&
                    (bestPadding < 0 || Math.Abs(p - padding) < Math.Abs(bestPadding - padding)))
                {
                    bestPadding = p;
                }
            }

            if (bestPadding >= 0)
            {
                options.Add("Padding = " + bestPadding);
                fixes.Add(new Fix("Padding", Text.Literal(bestPadding), OutputShape(width, height, outDepth, size, stride, bestPadding, RoundingMode.Exact)));
            }

            options.Add(kind == LayerKind.MaxPool ? "Rounding = Floor or Ceil" : "Rounding = Floor");
            fixes.Add(new Fix("Rounding", "OutputRounding.Floor", OutputShape(width, height, outDepth, size, stride, padding, RoundingMode.Floor)));
            if (kind == LayerKind.MaxPool)
            {
                fixes.Add(new Fix("Rounding", "OutputRounding.Ceil", OutputShape(width, height, outDepth, size, stride, padding, RoundingMode.Ceil)));
            }
            return options;
        }

        private static Problem NotInteger(string name, int layer, string axisName, long axis, int size, int stride, int padding, List<string> options)
        {
            double value = ((double)ShapeMath.Span(axis, size, padding) / stride) + 1;
            return new Problem(
                "CNN001",
                layer,
                ArgumentSlot.Attribute,
                name + ": output " + axisName + " " + Formula(axis, size, padding, stride) + " = " + Text.Decimal(value) + " is not an integer; " + Text.WouldFit(options));
        }

        /// <summary>(14 − 5 + 2·0)/2 + 1</summary>
        private static string Formula(long input, long size, long padding, long stride) =>
            "(" + input + " \u2212 " + size + " + 2\u00B7" + padding + ")/" + stride + " + 1";

        private static bool AddParameters(string name, int layer, long count, ref long parameters, List<Problem> problems)
        {
            if (parameters + count > int.MaxValue)
            {
                problems.Add(TooLarge(name, layer, "parameter total up to this layer", parameters + count));
                return false;
            }

            parameters += count;
            return true;
        }

        private static Problem TooLarge(string name, int layer, string what, long value) =>
            new("CNN003", layer, ArgumentSlot.Attribute, name + ": " + what + " = " + Text.Grouped(value) + " floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit");

        private static void AtLeastOne(string name, int layer, ArgumentSlot slot, string what, int value, List<Problem> problems)
        {
            if (value < 1)
            {
                problems.Add(new Problem("CNN003", layer, slot, name + ": " + what + " = " + Text.Int(value) + " is out of range: it must be at least 1"));
            }
        }

        private static void NotNegative(string name, int layer, ArgumentSlot slot, string what, int value, List<Problem> problems)
        {
            if (value < 0)
            {
                problems.Add(new Problem("CNN003", layer, slot, name + ": " + what + " = " + Text.Int(value) + " is out of range: it must be 0 or more"));
            }
        }

        private static void DefinedRounding(string name, int layer, int rounding, List<Problem> problems)
        {
            if (rounding is < 0 or > 2)
            {
                problems.Add(new Problem("CNN003", layer, ArgumentSlot.Rounding, name + ": Rounding = " + Text.Int(rounding) + " is not a defined OutputRounding value; Exact, Floor or Ceil would fit"));
            }
        }

        private static string KindText(LayerKind kind) => kind switch
        {
            LayerKind.Conv => "Conv",
            LayerKind.MaxPool => "MaxPool",
            LayerKind.FullyConnected => "FullyConnected",
            _ => "Relu",
        };

        private static string ToPascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
