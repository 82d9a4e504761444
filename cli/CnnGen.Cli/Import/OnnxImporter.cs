using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Onnx;

namespace CnnGen.Cli.Import
{
    /// <summary>
    /// Turns an ONNX model into CnnGen layers (contract section 8). Everything the attributes cannot say is a problem naming
    /// the node, its op and why; an import with problems produces no network.
    /// </summary>
    internal sealed class OnnxImporter
    {
        /// <summary>A runtime value: which layer produced it (−1: the input), its ONNX shape (batch 1) and the volume CnnGen sees.</summary>
        private sealed record Value(int Producer, long[] Dims, (int C, int H, int W) Volume)
        {
            /// <summary>An ONNX rank-2 view of a volume with more than one cell per channel (after Flatten): only fully-connected
            /// layers and element-wise activations read it the same way as CnnGen's volume.</summary>
            public bool Flattened => Dims.Length == 2 && Volume.H * Volume.W > 1;

            public string ShapeText => "[" + string.Join(", ", Dims) + "]";
        }

        /// <summary>A Pad node's output, merged into the window layer that reads it.</summary>
        private sealed record PendingPad(Value Source, long[] Pads, float Fill, string Node);

        private readonly List<string> _problems = new();
        private readonly Dictionary<string, ConstTensor> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _unreadable = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, PendingPad> _pads = new(StringComparer.Ordinal);
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);

        /// <summary>Shape arithmetic on a failed value: constants whose value is unknown, never a problem of their own.</summary>
        private readonly HashSet<string> _unknownConstants = new(StringComparer.Ordinal);
        private readonly HashSet<int> _skipped = new();
        private readonly List<ImportedLayer> _layers = new();
        private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _producers = new(StringComparer.Ordinal);
        private GraphProto _graph = null!;
        private int _opset;

        private OnnxImporter()
        {
        }

        /// <summary>Reads <paramref name="path"/>; on failure <paramref name="problems"/> says why, one line each.</summary>
        public static ImportedNetwork? ImportFile(string path, out List<string> problems)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems = new List<string> { Path.GetFileName(path) + ": cannot read the file (" + e.Message + ")" };
                return null;
            }

            return Import(bytes, Path.GetFileName(path), out problems);
        }

        public static ImportedNetwork? Import(byte[] bytes, string source, out List<string> problems)
        {
            ModelProto model;
            try
            {
                model = ModelProto.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException e)
            {
                problems = new List<string> { DeclarationWriter.Escape(source + ": not a readable ONNX file (" + e.Message.TrimEnd('.') + ")") };
                return null;
            }

            if (model.Graph is null || model.Graph.Node.Count == 0)
            {
                problems = new List<string> { source + ": not an ONNX model with a graph (no nodes found); is it truncated or another kind of file?" };
                return null;
            }

            var importer = new OnnxImporter();
            ImportedNetwork? network = importer.Run(model, source);
            problems = importer._problems.Select(DeclarationWriter.Escape).ToList();
            return problems.Count == 0 ? network : null;
        }

        private static string Label(NodeProto node, int index) => node.Name.Length > 0 ? node.Name : node.OpType + "#" + index;

        private void Problem(NodeProto node, int index, string reason) =>
            _problems.Add("node \"" + Label(node, index) + "\" (" + node.OpType + "): " + reason);

        private ImportedNetwork? Run(ModelProto model, string source)
        {
            _graph = model.Graph;
            _opset = (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);
            if (_opset == 0)
            {
                _problems.Add(source + ": the model imports no ai.onnx opset");
                return null;
            }

            foreach (TensorProto initializer in _graph.Initializer)
            {
                ConstTensor? tensor = ConstTensor.Read(initializer, out string why);
                if (tensor is null)
                {
                    _unreadable[initializer.Name] = why;
                }
                else
                {
                    _constants[initializer.Name] = tensor;
                }
            }

            // The input: the graph input that is not an initializer (older exporters list initializers as inputs too).
            var inputs = _graph.Input.Where(i => !_constants.ContainsKey(i.Name) && !_unreadable.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
            {
                _problems.Add(source + ": the graph has " + inputs.Count + " inputs (" + string.Join(", ", inputs.Select(i => i.Name)) + "); a CnnGen network has one");
                return null;
            }

            if (_graph.Output.Count != 1)
            {
                _problems.Add(source + ": the graph has " + _graph.Output.Count + " outputs (" + string.Join(", ", _graph.Output.Select(o => o.Name)) + "); a CnnGen network has one");
                return null;
            }

            ValueInfoProto input = inputs[0];
            long[]? inputDims = InputDims(input, source);
            if (inputDims is null)
            {
                return null;
            }

            (int C, int H, int W) inputVolume = inputDims.Length == 4
                ? ((int)inputDims[1], (int)inputDims[2], (int)inputDims[3])
                : ((int)inputDims[1], 1, 1);
            _values[input.Name] = new Value(-1, inputDims, inputVolume);

            // Only the nodes the output depends on (an unused second output, a dead branch, are not the network).
            Dictionary<string, int> producers = _producers;
            for (int i = 0; i < _graph.Node.Count; i++)
            {
                foreach (string output in _graph.Node[i].Output.Where(o => o.Length > 0))
                {
                    producers[output] = i;
                }
            }

            var live = new bool[_graph.Node.Count];
            var pending = new Stack<string>();
            pending.Push(_graph.Output[0].Name);
            while (pending.Count > 0)
            {
                if (producers.TryGetValue(pending.Pop(), out int p) && !live[p])
                {
                    live[p] = true;
                    foreach (string i in _graph.Node[p].Input.Where(i => i.Length > 0))
                    {
                        pending.Push(i);
                    }
                }
            }

            for (int i = 0; i < _graph.Node.Count; i++)
            {
                if (!live[i])
                {
                    continue;
                }

                foreach (string name in _graph.Node[i].Input.Where(n => n.Length > 0))
                {
                    if (!_consumers.TryGetValue(name, out List<int>? list))
                    {
                        _consumers[name] = list = new List<int>();
                    }

                    list.Add(i);
                }
            }

            // Constant nodes first: a MatMul's bias (or a Clip's bounds) may come from one placed after it in the file.
            for (int i = 0; i < _graph.Node.Count; i++)
            {
                if (live[i] && _graph.Node[i].OpType == "Constant" && _graph.Node[i].Domain is "" or "ai.onnx")
                {
                    Node(_graph.Node[i], i);
                    _skipped.Add(i);
                }
            }

            for (int i = 0; i < _graph.Node.Count; i++)
            {
                if (live[i] && !_skipped.Contains(i))
                {
                    Node(_graph.Node[i], i);
                }
            }

            if (_problems.Count > 0)
            {
                return null;
            }

            string outputName = _graph.Output[0].Name;
            if (!_values.TryGetValue(outputName, out Value? result) || result.Producer < 0)
            {
                _problems.Add(source + ": the output \"" + outputName + "\" is " + (result is null ? "not computed by any node CnnGen can declare" : "the input itself: there is no layer to declare"));
                return null;
            }

            if (result.Producer != _layers.Count - 1)
            {
                _problems.Add(source + ": the output \"" + outputName + "\" is not the last layer's output");
                return null;
            }

            string producer = model.ProducerName.Length > 0 ? model.ProducerName + (model.ProducerVersion.Length > 0 ? " " + model.ProducerVersion : "") : "an unnamed producer";
            return new ImportedNetwork
            {
                Source = source,
                Description = "ONNX opset " + _opset + ", exported by " + producer,
                Input = (inputVolume.W, inputVolume.H, inputVolume.C),
                Layers = _layers,
                InputName = input.Name,
                InputShape = inputDims,
                OutputName = outputName,
            };
        }

        private long[]? InputDims(ValueInfoProto input, string source)
        {
            string where = source + ": input \"" + input.Name + "\"";
            TypeProto.Types.Tensor? tensor = input.Type?.TensorType;
            if (tensor is null || tensor.Shape is null)
            {
                _problems.Add(where + " has no tensor shape; CnnGen needs the input's shape (channels, height, width)");
                return null;
            }

            if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
            {
                _problems.Add(where + " has element type " + ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToUpperInvariant() + "; CnnGen networks take FLOAT");
                return null;
            }

            var dims = tensor.Shape.Dim;
            if (dims.Count != 4 && dims.Count != 2)
            {
                _problems.Add(where + " has rank " + dims.Count + "; CnnGen takes NCHW images (rank 4) or (N, features) vectors (rank 2)");
                return null;
            }

            var result = new long[dims.Count];
            result[0] = 1;
            if (dims[0].HasDimValue && dims[0].DimValue != 1)
            {
                _problems.Add(where + " has a batch dimension of " + dims[0].DimValue + "; a CnnGen network takes one sample (ForwardBatch runs many): export with batch 1 or a dynamic batch");
                return null;
            }

            var bad = new List<string>();
            for (int d = 1; d < dims.Count; d++)
            {
                if (!dims[d].HasDimValue || dims[d].DimValue <= 0 || dims[d].DimValue > int.MaxValue)
                {
                    string what = dims[d].HasDimParam ? "is dynamic (\"" + dims[d].DimParam + "\")" : dims[d].HasDimValue ? "is " + dims[d].DimValue : "is unknown";
                    bad.Add("dimension " + d + " " + what);
                }
                else
                {
                    result[d] = dims[d].DimValue;
                }
            }

            if (bad.Count > 0)
            {
                _problems.Add(where + ": " + string.Join(", ", bad) + "; CnnGen checks shapes at compile time and needs every dimension but the batch fixed (export with a fixed input size)");
                return null;
            }

            return result;
        }

        private void Node(NodeProto node, int index)
        {
            if (node.Domain is not ("" or "ai.onnx"))
            {
                Problem(node, index, "an op of domain \"" + node.Domain + "\"; CnnGen maps standard ONNX ops only");
                Fail(node);
                return;
            }

            // A node whose input failed has no shape to check against; still report what is wrong with it whatever the shapes
            // (an op without a layer, a product that is not a gate, …), so that one import lists every such node.
            if (node.Input.Any(i => _failed.Contains(i)))
            {
                bool shapeArithmetic = node.OpType == "Shape"
                    || (ConstantFolder.Ops.Contains(node.OpType) && node.Input.All(i => i.Length == 0 || _constants.ContainsKey(i) || _unknownConstants.Contains(i)));
                if (shapeArithmetic)
                {
                    _unknownConstants.UnionWith(node.Output);
                    Fail(node);
                    return;
                }

                if (StaticReason(node) is { } reason)
                {
                    Problem(node, index, reason);
                }

                Fail(node);
                return;
            }

            foreach (string i in node.Input.Where(i => _unreadable.ContainsKey(i)))
            {
                Problem(node, index, _unreadable[i]);
                Fail(node);
                return;
            }

            var inputs = node.Input.Select(i => i.Length == 0 ? null : _constants.GetValueOrDefault(i)).ToList();
            bool allConstant = node.Input.All(i => i.Length == 0 || _constants.ContainsKey(i));
            if (allConstant && ConstantFolder.Ops.Contains(node.OpType) && node.Output.Count >= 1)
            {
                ConstTensor? folded = ConstantFolder.Fold(node, inputs, _opset, out string why);
                if (folded is null)
                {
                    Problem(node, index, "cannot be evaluated at import: " + why);
                    Fail(node);
                    return;
                }

                _constants[node.Output[0]] = folded;
                return;
            }

            try
            {
                Map(node, index);
            }
            catch (ImportException e)
            {
                Problem(node, index, e.Message);
                Fail(node);
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or InvalidOperationException or NullReferenceException or KeyNotFoundException or DivideByZeroException)
            {
                // A node malformed in a way the checks above did not foresee: still one line, never a stack trace.
                Problem(node, index, "cannot be read (" + e.Message.TrimEnd('.') + ")");
                Fail(node);
            }
        }

        private void Fail(NodeProto node)
        {
            foreach (string o in node.Output)
            {
                _failed.Add(o);
            }
        }

        /// <summary>Thrown by the mappers for a problem with the node at hand; <see cref="Node"/> reports it with the node's name.</summary>
        private sealed class ImportException(string message) : Exception(message);

        private Value Data(NodeProto node, int i = 0)
        {
            string name = i < node.Input.Count ? node.Input[i] : "";
            if (name.Length == 0)
            {
                throw new ImportException("input " + i + " is missing");
            }

            if (_values.TryGetValue(name, out Value? value))
            {
                return value;
            }

            if (_pads.ContainsKey(name))
            {
                throw new ImportException("reads the output of Pad node \"" + _pads[name].Node + "\"; a Pad is imported only as the padding of the Conv or pool that reads it");
            }

            if (_constants.ContainsKey(name))
            {
                throw new ImportException("input \"" + name + "\" is a constant tensor where CnnGen needs the output of a layer (the attributes cannot say a constant operand here)");
            }

            throw new ImportException("input \"" + name + "\" is not produced by any node");
        }

        private ConstTensor Constant(NodeProto node, int i, string what)
        {
            string name = i < node.Input.Count ? node.Input[i] : "";
            if (name.Length == 0)
            {
                throw new ImportException("has no " + what);
            }

            if (_constants.TryGetValue(name, out ConstTensor? tensor))
            {
                return tensor;
            }

            throw new ImportException("its " + what + " \"" + name + "\" is computed by the graph, not a constant: CnnGen needs weights known when importing");
        }

        private ConstTensor? OptionalConstant(NodeProto node, int i, string what) =>
            i < node.Input.Count && node.Input[i].Length > 0 ? Constant(node, i, what) : null;

        private void RequireUnused(NodeProto node, int fromOutput, string what)
        {
            for (int o = fromOutput; o < node.Output.Count; o++)
            {
                if (node.Output[o].Length > 0 && _consumers.ContainsKey(node.Output[o]))
                {
                    throw new ImportException("its " + what + " output \"" + node.Output[o] + "\" is used; CnnGen computes only the first output");
                }
            }
        }

        private List<int> Consumers(string value) => _consumers.GetValueOrDefault(value) ?? new List<int>();

        private ImportedLayer Add(NodeProto node, int index, string kind, Value input, (int C, int H, int W) shape, long[] dims)
        {
            var layer = new ImportedLayer { Kind = kind, Input = input.Producer };
            layer.Nodes.Add(Label(node, index));
            layer.Shape = shape;
            _layers.Add(layer);
            _values[node.Output[0]] = new Value(_layers.Count - 1, dims, shape);
            return layer;
        }

        private void Map(NodeProto node, int index)
        {
            switch (node.OpType)
            {
                case "Conv":
                    Conv(node, index);
                    break;
                case "MaxPool":
                case "AveragePool":
                    Pool(node, index);
                    break;
                case "GlobalAveragePool":
                case "GlobalMaxPool":
                    {
                        Value x = Image(node);
                        Add(node, index, node.OpType == "GlobalAveragePool" ? "GlobalAvgPool" : "GlobalMaxPool", x, (x.Volume.C, 1, 1), new long[] { 1, x.Volume.C, 1, 1 });
                        break;
                    }

                case "BatchNormalization":
                    BatchNorm(node, index);
                    break;
                case "Relu":
                case "Sigmoid":
                case "Tanh":
                case "HardSwish":
                    if (node.OpType == "Sigmoid" && FusesIntoMul(node, index, "Silu"))
                    {
                        break;
                    }

                    Activation(node, index, node.OpType);
                    break;
                case "HardSigmoid":
                    {
                        float alpha = OnnxAttributes.Float(node, "alpha", 0.2f), beta = OnnxAttributes.Float(node, "beta", 0.5f);
                        if (!(Math.Abs(alpha - (1f / 6)) <= 1e-6f) || !(Math.Abs(beta - 0.5f) <= 1e-6f))
                        {
                            throw new ImportException("alpha = " + Text(alpha) + ", beta = " + Text(beta) + ": CnnGen has hard swish, x·HardSigmoid(x) with alpha = 1/6 and beta = 0.5, not a hard sigmoid of its own");
                        }

                        if (!FusesIntoMul(node, index, "HardSwish"))
                        {
                            if (StaticReason(node) is { } reason)
                            {
                                throw new ImportException(reason);
                            }

                            Fail(node); // a gate of another tensor: the Mul that reads it says so
                        }

                        break;
                    }

                case "LeakyRelu":
                    {
                        ImportedLayer layer = Activation(node, index, "LeakyRelu");
                        float alpha = OnnxAttributes.Float(node, "alpha", 0.01f);
                        if (!float.IsFinite(alpha))
                        {
                            throw new ImportException("alpha = " + alpha.ToString(CultureInfo.InvariantCulture) + "; CnnGen's LeakyRelu Slope must be a finite number");
                        }
                        if (alpha != 0.01f)
                        {
                            layer.Properties.Add(("Slope", Text(alpha)));
                        }

                        break;
                    }

                case "Clip":
                    Clip(node, index);
                    break;
                case "Softmax":
                    Softmax(node, index);
                    break;
                case "Mul":
                    Mul(node, index);
                    break;
                case "Add":
                    Sum(node, index);
                    break;
                case "Concat":
                    Concat(node, index);
                    break;
                case "Gemm":
                    Gemm(node, index);
                    break;
                case "MatMul":
                    MatMul(node, index);
                    break;
                case "Flatten":
                    Flatten(node);
                    break;
                case "Reshape":
                    Reshape(node);
                    break;
                case "Identity":
                    _values[node.Output[0]] = Data(node);
                    break;
                case "Dropout":
                    RequireUnused(node, 1, "mask");
                    if (node.Input.Count > 2 && node.Input[2].Length > 0)
                    {
                        ConstTensor training = Constant(node, 2, "training_mode");
                        if (training.Length != 1 || training[0] != 0)
                        {
                            throw new ImportException("training_mode is on; CnnGen runs inference (export with the model in eval mode)");
                        }
                    }

                    _values[node.Output[0]] = Data(node);
                    break;
                case "Shape":
                    _constants[node.Output[0]] = ConstTensor.Vector(ConstantFolder.ShapeOf(Data(node).Dims, node));
                    break;
                case "Pad":
                    Pad(node, index);
                    break;
                case "ReduceMean":
                case "ReduceMax":
                    Reduce(node, index);
                    break;
                case "Squeeze":
                case "Unsqueeze":
                    Resize(node, SqueezedDims(node));
                    break;
                default:
                    throw new ImportException(StaticReason(node) ?? Unsupported(node.OpType));
            }
        }

        /// <summary>What is wrong with <paramref name="node"/> whatever its inputs' shapes, or null.</summary>
        private string? StaticReason(NodeProto node)
        {
            string op = node.OpType;
            if (!Supported.Contains(op))
            {
                return ConstantFolder.Ops.Contains(op)
                    ? "applies " + op + " to the output of a layer; CnnGen evaluates " + op + " only on constants (shape arithmetic) and has no layer for it"
                    : Unsupported(op);
            }

            switch (op)
            {
                case "Mul":
                    {
                        NodeProto? gate = node.Input.Select(i => _producers.TryGetValue(i, out int p) ? _graph.Node[p] : null)
                            .FirstOrDefault(n => n is { OpType: "Sigmoid" or "HardSigmoid" });
                        if (gate is not null && gate.Input.Count > 0 && node.Input.Contains(gate.Input[0]))
                        {
                            return null; // x·gate(x) whose gate was refused: the gate's line says why
                        }

                        return gate is not null
                            ? "multiplies by " + gate.OpType + "(…) of another tensor, a squeeze-and-excitation gate (as in MobileNetV3 and EfficientNet); CnnGen imports only x·Sigmoid(x) (SiLU) and x·HardSigmoid(x) (hard swish)"
                            : "a product of two tensors (or of a tensor and a constant) has no CnnGen layer; CnnGen imports only x·Sigmoid(x) (SiLU) and x·HardSigmoid(x) (hard swish)";
                    }

                case "HardSigmoid":
                    {
                        float alpha = OnnxAttributes.Float(node, "alpha", 0.2f), beta = OnnxAttributes.Float(node, "beta", 0.5f);
                        if (!(Math.Abs(alpha - (1f / 6)) <= 1e-6f) || !(Math.Abs(beta - 0.5f) <= 1e-6f))
                        {
                            return "alpha = " + Text(alpha) + ", beta = " + Text(beta) + ": CnnGen has hard swish, x·HardSigmoid(x) with alpha = 1/6 and beta = 0.5, not a hard sigmoid of its own";
                        }

                        List<int> readers = node.Output.Count > 0 ? Consumers(node.Output[0]) : new List<int>();
                        return readers.Count == 1 && _graph.Node[readers[0]].OpType == "Mul" ? null : "a hard sigmoid alone; CnnGen imports it only as hard swish, x·HardSigmoid(x)";
                    }

                case "Gemm":
                    if (OnnxAttributes.Float(node, "alpha", 1f) != 1f)
                    {
                        return "alpha = " + OnnxAttributes.Float(node, "alpha", 1f).ToString(CultureInfo.InvariantCulture) + "; CnnGen's fully-connected layer computes W·x + b, alpha = 1";
                    }

                    return OnnxAttributes.Int(node, "transA", 0) != 0 ? "transA = 1; CnnGen's fully-connected layer reads its input as a row" : null;
                default:
                    return null;
            }
        }

        /// <summary>The ops <see cref="Map"/> knows (some only in certain forms).</summary>
        private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
        {
            "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Relu", "Sigmoid", "Tanh",
            "HardSwish", "HardSigmoid", "LeakyRelu", "Clip", "Softmax", "Mul", "Add", "Concat", "Gemm", "MatMul", "Flatten", "Reshape",
            "Identity", "Dropout", "Shape", "Pad", "ReduceMean", "ReduceMax", "Squeeze", "Unsqueeze",
        };

        private static string Unsupported(string op) => op switch
        {
            "Resize" or "Upsample" => "upsampling has no CnnGen layer",
            "LSTM" or "GRU" or "RNN" => "recurrent layers have no CnnGen layer",
            "ConvTranspose" => "transposed convolution has no CnnGen layer",
            _ => "the op has no CnnGen layer",
        };

        /// <summary>A rank-4 value CnnGen sees as the same C×H×W volume.</summary>
        private Value Image(NodeProto node)
        {
            Value x = Data(node);
            if (x.Dims.Length != 4)
            {
                throw new ImportException("reads \"" + node.Input[0] + "\" of shape " + x.ShapeText + "; the layer needs an N×C×H×W tensor");
            }

            return x;
        }

        private static string Text(float value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text + "f";
        }

        /// <summary>An attribute value CnnGen can hold (an int from <paramref name="min"/> up), else the node's problem.</summary>
        private static int Int32(long value, string what, int min) =>
            value >= min && value <= int.MaxValue ? (int)value : throw new ImportException(what + " of " + value.ToString(CultureInfo.InvariantCulture) + " is out of range (" + min + " to " + int.MaxValue.ToString(CultureInfo.InvariantCulture) + ")");

        /// <summary>auto_pad, with "" read as NOTSET (as ONNX Runtime does).</summary>
        private static string AutoPad(NodeProto node) => OnnxAttributes.String(node, "auto_pad", "NOTSET") is { Length: > 0 } value ? value : "NOTSET";

        /// <summary>
        /// A bias that adds one value per output to a (1, outputs) row as ONNX broadcasts it: [outputs], [1, outputs], or a
        /// single value ([], [1], [1, 1]); null for any other shape ([outputs, 1] would broadcast to a matrix).
        /// </summary>
        private static float[]? RowBias(ConstTensor bias, int outputs)
        {
            if (bias.Dims.Length > 0 && bias.Dims.Take(bias.Dims.Length - 1).Any(d => d != 1))
            {
                return null;
            }

            if (bias.Length == outputs && (bias.Dims.Length == 0 ? outputs == 1 : bias.Dims[^1] == outputs))
            {
                return bias.AsFloats();
            }

            return bias.Length == 1 ? Enumerable.Repeat(bias.AsFloats()[0], outputs).ToArray() : null;
        }

        private static bool IsValidKey(string key) => key.Length > 0 && key.All(c => char.IsLetterOrDigit(c) || c == '_' || c == '.');

        /// <summary>The prefix that every one of <paramref name="tensors"/>' names shares with its suffix: "fc.weight", "fc.bias" → "fc".</summary>
        private static string? CommonKey(params (string Name, string Suffix)[] tensors)
        {
            string? key = null;
            foreach ((string name, string suffix) in tensors)
            {
                if (!name.EndsWith("." + suffix, StringComparison.Ordinal))
                {
                    return null;
                }

                string prefix = name.Substring(0, name.Length - suffix.Length - 1);
                if (key is not null && key != prefix)
                {
                    return null;
                }

                key = prefix;
            }

            return key is not null && IsValidKey(key) ? key : null;
        }

        private void Conv(NodeProto node, int index)
        {
            (Value x, PendingPad? pad) = WindowInput(node);
            ConstTensor w = Constant(node, 1, "weight");
            ConstTensor? b = OptionalConstant(node, 2, "bias");
            if (w.Rank != 4)
            {
                throw new ImportException("weight of shape " + w.ShapeText + "; CnnGen convolutions are 2-D (weight K×C/G×kH×kW)");
            }

            int k = (int)w.Dims[0], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
            int groups = Int32(OnnxAttributes.Int(node, "group", 1), "group", 1);
            int c = x.Volume.C;
            if (groups < 1 || c % groups != 0 || k % groups != 0 || w.Dims[1] * groups != c)
            {
                throw new ImportException("group = " + groups + " with " + c + " input channels, " + k + " filters and weight " + w.ShapeText + " do not fit (weight must be [K, C/group, kH, kW])");
            }

            if (OnnxAttributes.Ints(node, "kernel_shape") is { } shape && (shape.Length != 2 || shape[0] != kh || shape[1] != kw))
            {
                throw new ImportException("kernel_shape [" + string.Join(", ", shape) + "] differs from the weight's " + kh + "×" + kw);
            }

            if (b is not null && b.Length != k)
            {
                throw new ImportException("bias of shape " + b.ShapeText + " for " + k + " filters");
            }

            var layer = new ImportedLayer { Kind = "Conv", Input = x.Producer };
            layer.Arguments.Add(k.ToString(CultureInfo.InvariantCulture));
            (int oh, int ow) = Window(node, layer, x, pad, kh, kw, pool: false);
            if (groups != 1)
            {
                layer.Properties.Add(("Groups", groups.ToString(CultureInfo.InvariantCulture)));
            }

            if (b is null)
            {
                layer.Properties.Add(("Bias", "false"));
            }

            layer.Tensors.Add(("weight", w.Dims.Select(d => (int)d).ToArray(), w.AsFloats()));
            if (b is not null)
            {
                layer.Tensors.Add(("bias", new[] { k }, b.AsFloats()));
            }

            layer.KeyFromInitializers = b is null ? CommonKey((node.Input[1], "weight")) : CommonKey((node.Input[1], "weight"), (node.Input[2], "bias"));
            Place(node, index, layer, pad, (k, oh, ow));
        }

        private void Place(NodeProto node, int index, ImportedLayer layer, PendingPad? pad, (int C, int H, int W) shape)
        {
            if (pad is not null)
            {
                layer.Nodes.Add(pad.Node);
            }

            layer.Nodes.Add(Label(node, index));
            layer.Shape = shape;
            _layers.Add(layer);
            _values[node.Output[0]] = new Value(_layers.Count - 1, new long[] { 1, shape.C, shape.H, shape.W }, shape);
        }

        /// <summary>The data input of a window layer: a rank-4 value, or a Pad's output (its source and pads).</summary>
        private (Value, PendingPad?) WindowInput(NodeProto node)
        {
            if (node.Input.Count > 0 && _pads.TryGetValue(node.Input[0], out PendingPad? pad))
            {
                return (pad.Source, pad);
            }

            return (Image(node), null);
        }

        /// <summary>
        /// Reads a Conv's or pool's kernel, strides, dilations, pads and auto_pad into <paramref name="layer"/>'s properties;
        /// returns the output height and width ONNX defines.
        /// </summary>
        private (int H, int W) Window(NodeProto node, ImportedLayer layer, Value x, PendingPad? pad, int kh, int kw, bool pool)
        {
            long[] strides = OnnxAttributes.Ints(node, "strides") ?? new long[] { 1, 1 };
            long[] dilations = OnnxAttributes.Ints(node, "dilations") ?? new long[] { 1, 1 };
            long[] pads = OnnxAttributes.Ints(node, "pads") ?? new long[] { 0, 0, 0, 0 };
            string autoPad = AutoPad(node);
            if (strides.Length != 2 || dilations.Length != 2 || pads.Length != 4)
            {
                throw new ImportException("strides, dilations or pads are not for two spatial axes; CnnGen's layers are 2-D");
            }

            if (strides.Any(s => s < 1) || dilations.Any(d => d < 1) || pads.Any(p => p < 0))
            {
                throw new ImportException("strides [" + string.Join(", ", strides) + "], dilations [" + string.Join(", ", dilations) + "] or pads [" + string.Join(", ", pads) + "] out of range (negative pads crop, which CnnGen's layers cannot say)");
            }

            bool ceil = pool && OnnxAttributes.Int(node, "ceil_mode", 0) != 0;
            int sh = Int32(strides[0], "a stride", 1), sw = Int32(strides[1], "a stride", 1), dh = Int32(dilations[0], "a dilation", 1), dw = Int32(dilations[1], "a dilation", 1);
            foreach (long p in pads)
            {
                Int32(p, "a pad", 0);
            }
            if (kh == kw)
            {
                layer.Arguments.Add(kh.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                layer.Properties.Add(("SizeX", kw.ToString(CultureInfo.InvariantCulture)));
                layer.Properties.Add(("SizeY", kh.ToString(CultureInfo.InvariantCulture)));
            }

            // A pool's Stride defaults to its window; a conv's to 1.
            (int defaultY, int defaultX) = pool ? (kh, kw) : (1, 1);
            if (sh != defaultY || sw != defaultX)
            {
                if (sh == sw)
                {
                    layer.Properties.Add(("Stride", sh.ToString(CultureInfo.InvariantCulture)));
                }
                else
                {
                    layer.Properties.Add(("StrideX", sw.ToString(CultureInfo.InvariantCulture)));
                    layer.Properties.Add(("StrideY", sh.ToString(CultureInfo.InvariantCulture)));
                }
            }

            if (dh != 1 || dw != 1)
            {
                if (layer.Kind == "AvgPool")
                {
                    throw new ImportException("dilations [" + dh + ", " + dw + "]: CnnGen's average pool has no dilation (neither has PyTorch's)");
                }

                if (dh == dw)
                {
                    layer.Properties.Add(("Dilation", dh.ToString(CultureInfo.InvariantCulture)));
                }
                else
                {
                    layer.Properties.Add(("DilationX", dw.ToString(CultureInfo.InvariantCulture)));
                    layer.Properties.Add(("DilationY", dh.ToString(CultureInfo.InvariantCulture)));
                }
            }

            int effectiveH = dh * (kh - 1) + 1, effectiveW = dw * (kw - 1) + 1;
            int h = x.Volume.H, w = x.Volume.W;
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                if (pad is not null)
                {
                    throw new ImportException("auto_pad " + autoPad + " on the output of Pad node \"" + pad.Node + "\"; CnnGen cannot combine Same padding with explicit padding");
                }

                layer.Properties.Add(("PaddingMode", autoPad == "SAME_UPPER" ? "PaddingMode.Same" : "PaddingMode.SameLower"));
                return ((h + sh - 1) / sh, (w + sw - 1) / sw);
            }

            if (autoPad is not ("NOTSET" or "VALID"))
            {
                throw new ImportException("auto_pad \"" + autoPad + "\" is not an ONNX value");
            }

            if (autoPad == "VALID")
            {
                pads = new long[4];
            }

            // ONNX pads: [top, left, bottom, right]; a Pad before the layer adds its spatial pads.
            long top = pads[0], left = pads[1], bottom = pads[2], right = pads[3];
            if (pad is not null)
            {
                top += pad.Pads[0];
                left += pad.Pads[1];
                bottom += pad.Pads[2];
                right += pad.Pads[3];
            }

            if (pool && (Math.Max(top, bottom) >= kh || Math.Max(left, right) >= kw))
            {
                throw new ImportException("padding [top " + top + ", left " + left + ", bottom " + bottom + ", right " + right + "] reaches the window " + kh + "×" + kw + "; a pool's padding must be below its window on each side");
            }

            WritePadding(layer, top, left, bottom, right);
            long numH = h + top + bottom - effectiveH, numW = w + left + right - effectiveW;
            if (numH < 0 || numW < 0)
            {
                throw new ImportException("the window " + effectiveH + "×" + effectiveW + " is larger than the padded input " + (h + top + bottom) + "×" + (w + left + right));
            }

            int oh = Output(numH, sh, ceil, h + top), ow = Output(numW, sw, ceil, w + left);
            if (ceil && pad is not null)
            {
                // ONNX drops a last ceil window only when it starts past the padded input (the Pad's cells are input) and
                // the pool's own begin padding; CnnGen's rule counts all padding at the begin only. Refuse where they differ.
                int onnxH = Output(numH, sh, true, h + pad.Pads[0] + pad.Pads[2] + pads[0]), onnxW = Output(numW, sw, true, w + pad.Pads[1] + pad.Pads[3] + pads[1]);
                if (onnxH != oh || onnxW != ow)
                {
                    throw new ImportException("ceil_mode on the output of Pad node \"" + pad.Node + "\" gives " + onnxH + "×" + onnxW + " in ONNX; merged into the pool's padding it would give " + oh + "×" + ow);
                }
            }

            if (numH % sh != 0 || numW % sw != 0)
            {
                layer.Properties.Add(("Rounding", ceil ? "OutputRounding.Ceil" : "OutputRounding.Floor"));
            }

            return (oh, ow);
        }

        /// <summary>ONNX's output size: floor, or ceil without a last window that starts past the input and its begin padding.</summary>
        private static int Output(long num, int stride, bool ceil, long inputAndBegin)
        {
            long output = ceil ? (num + stride - 1) / stride + 1 : num / stride + 1;
            if (ceil && (output - 1) * stride >= inputAndBegin)
            {
                output--;
            }

            return checked((int)output);
        }

        private static void WritePadding(ImportedLayer layer, long top, long left, long bottom, long right)
        {
            static string T(long v) => v.ToString(CultureInfo.InvariantCulture);
            if (top == bottom && left == right)
            {
                if (top == left)
                {
                    if (top != 0)
                    {
                        layer.Properties.Add(("Padding", T(top)));
                    }
                }
                else
                {
                    layer.Properties.Add(("PaddingX", T(left)));
                    layer.Properties.Add(("PaddingY", T(top)));
                }

                return;
            }

            foreach ((string name, long value) in new[] { ("PaddingLeft", left), ("PaddingRight", right), ("PaddingTop", top), ("PaddingBottom", bottom) })
            {
                if (value != 0)
                {
                    layer.Properties.Add((name, T(value)));
                }
            }
        }

        private void Pool(NodeProto node, int index)
        {
            bool max = node.OpType == "MaxPool";
            if (max)
            {
                RequireUnused(node, 1, "Indices");
                if (OnnxAttributes.Int(node, "storage_order", 0) != 0)
                {
                    // storage_order only changes the indices, which nobody reads.
                }
            }

            (Value x, PendingPad? pad) = WindowInput(node);
            long[]? kernel = OnnxAttributes.Ints(node, "kernel_shape");
            if (kernel is null || kernel.Length != 2)
            {
                throw new ImportException("kernel_shape " + (kernel is null ? "missing" : "[" + string.Join(", ", kernel) + "]") + "; CnnGen pools are 2-D");
            }

            int kh = Int32(kernel[0], "kernel_shape", 1), kw = Int32(kernel[1], "kernel_shape", 1);
            bool includePad = !max && OnnxAttributes.Int(node, "count_include_pad", 0) != 0;
            long[] ownPads = OnnxAttributes.Ints(node, "pads") ?? new long[4];
            string autoPad = AutoPad(node);
            bool ownPadding = autoPad is "SAME_UPPER" or "SAME_LOWER" || (autoPad == "NOTSET" && ownPads.Any(p => p != 0));
            if (pad is not null)
            {
                // A Pad's cells are real input: they are counted by the average and compared by the max.
                if (max ? !float.IsNegativeInfinity(pad.Fill) : pad.Fill != 0)
                {
                    throw new ImportException("reads Pad node \"" + pad.Node + "\" that pads with " + pad.Fill.ToString(CultureInfo.InvariantCulture) + "; CnnGen pads a max pool with −∞ and an average pool with zeros");
                }

                if (!max && ownPadding && !includePad)
                {
                    throw new ImportException("reads Pad node \"" + pad.Node + "\" and pads again with count_include_pad = 0; CnnGen's average pool counts either all its padding or none");
                }

                includePad = true;
            }

            // A window that is the whole map, without padding, is the global pool.
            bool dilated = (OnnxAttributes.Ints(node, "dilations") ?? new long[] { 1, 1 }).Any(d => d != 1);
            if (pad is null && !ownPadding && !dilated && kh == x.Volume.H && kw == x.Volume.W)
            {
                Add(node, index, max ? "GlobalMaxPool" : "GlobalAvgPool", x, (x.Volume.C, 1, 1), new long[] { 1, x.Volume.C, 1, 1 });
                return;
            }

            var layer = new ImportedLayer { Kind = max ? "MaxPool" : "AvgPool", Input = x.Producer };
            (int oh, int ow) = Window(node, layer, x, pad, kh, kw, pool: true);
            if (!max && !includePad && (ownPadding || pad is not null))
            {
                layer.Properties.Add(("CountIncludePadding", "false"));
            }

            Place(node, index, layer, pad, (x.Volume.C, oh, ow));
        }

        private void Pad(NodeProto node, int index)
        {
            // A Pad of a Pad (PyTorch exports avg_pool2d's padding as one after F.pad's) adds up when both fill alike.
            PendingPad? inner = node.Input.Count > 0 ? _pads.GetValueOrDefault(node.Input[0]) : null;
            Value x = inner?.Source ?? Image(node);
            string mode = OnnxAttributes.String(node, "mode", "constant");
            if (mode != "constant")
            {
                throw new ImportException("mode \"" + mode + "\"; CnnGen's layers pad with a constant only");
            }

            long[] pads;
            float fill;
            if (_opset < 11)
            {
                pads = OnnxAttributes.Ints(node, "pads") ?? throw new ImportException("has no pads");
                fill = OnnxAttributes.Float(node, "value", 0f);
            }
            else
            {
                pads = Constant(node, 1, "pads").AsIntegers();
                ConstTensor? value = OptionalConstant(node, 2, "constant value");
                fill = value is null ? 0f : (float)value[0];
                if (node.Input.Count > 3 && node.Input[3].Length > 0)
                {
                    long[] axes = Constant(node, 3, "axes").AsIntegers().Select(a => a < 0 ? a + 4 : a).ToArray();
                    var full = new long[8];
                    for (int i = 0; i < axes.Length; i++)
                    {
                        full[axes[i]] = pads[i];
                        full[axes[i] + 4] = pads[i + axes.Length];
                    }

                    pads = full;
                }
            }

            if (pads.Length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || pads.Any(p => p < 0))
            {
                throw new ImportException("pads [" + string.Join(", ", pads) + "]; CnnGen pads height and width only, never negatively");
            }

            if (inner is not null)
            {
                if (!inner.Fill.Equals(fill) && pads.Any(p => p != 0))
                {
                    throw new ImportException("pads the output of Pad node \"" + inner.Node + "\" with another value; CnnGen can merge pads of one value only");
                }

                fill = inner.Fill;
                pads = (long[])pads.Clone();
                for (int i = 0; i < 4; i++)
                {
                    pads[2 + (i / 2) * 4 + i % 2] += inner.Pads[i];
                }
            }

            if (pads.All(p => p == 0))
            {
                // Nothing to pad (F.pad with zeros, Keras' 'same' where it adds nothing): the Pad is the identity.
                _values[node.Output[0]] = x;
                return;
            }

            foreach (int consumer in Consumers(node.Output[0]))
            {
                NodeProto reader = _graph.Node[consumer];
                bool window = reader.OpType is "Conv" or "MaxPool" or "AveragePool" or "Pad" && reader.Input[0] == node.Output[0];
                if (!window || (reader.OpType == "Conv" && fill != 0))
                {
                    throw new ImportException("is read by " + reader.OpType + " node \"" + Label(reader, consumer) + "\"; a Pad is imported only as the padding of a Conv (zeros) or pool that reads it");
                }
            }

            // ONNX Pad order [n, c, top, left, n, c, bottom, right] → [top, left, bottom, right].
            string label = inner is null ? Label(node, index) : inner.Node + ", " + Label(node, index);
            _pads[node.Output[0]] = new PendingPad(x, new[] { pads[2], pads[3], pads[6], pads[7] }, fill, label);
        }

        private void BatchNorm(NodeProto node, int index)
        {
            Value x = Data(node);
            if (x.Flattened)
            {
                throw new ImportException("normalizes \"" + node.Input[0] + "\" of shape " + x.ShapeText + ", a flattened " + x.Volume.C + "×" + x.Volume.H + "×" + x.Volume.W + " volume; CnnGen's batch norm works per channel of the volume");
            }

            if (_opset < 9 && OnnxAttributes.Int(node, "spatial", 1) != 1)
            {
                throw new ImportException("spatial = 0; CnnGen's batch norm works per channel");
            }

            if (OnnxAttributes.Int(node, "training_mode", 0) != 0)
            {
                throw new ImportException("training_mode = 1; CnnGen runs inference (export with the model in eval mode)");
            }

            RequireUnused(node, 1, "running statistics");
            int c = x.Volume.C;
            string[] names = { "weight", "bias", "running_mean", "running_var" };
            string[] what = { "scale", "bias", "mean", "variance" };
            var layer = new ImportedLayer { Kind = "BatchNorm", Input = x.Producer };
            for (int i = 0; i < 4; i++)
            {
                ConstTensor t = Constant(node, i + 1, what[i]);
                if (t.Length != c)
                {
                    throw new ImportException(what[i] + " of shape " + t.ShapeText + " for " + c + " channels");
                }

                layer.Tensors.Add((names[i], new[] { c }, t.AsFloats()));
            }

            float epsilon = OnnxAttributes.Float(node, "epsilon", 1e-5f);
            if (!(epsilon > 0) || !float.IsFinite(epsilon))
            {
                throw new ImportException("epsilon = " + epsilon.ToString(CultureInfo.InvariantCulture) + " is not above 0");
            }

            if (epsilon != 1e-5f)
            {
                layer.Properties.Add(("Epsilon", Text(epsilon)));
            }

            layer.KeyFromInitializers = CommonKey(names.Select((n, i) => (node.Input[i + 1], n)).ToArray());
            layer.Nodes.Add(Label(node, index));
            layer.Shape = x.Volume;
            _layers.Add(layer);
            _values[node.Output[0]] = x with { Producer = _layers.Count - 1 };
        }

        private ImportedLayer Activation(NodeProto node, int index, string kind)
        {
            Value x = Data(node);
            var layer = new ImportedLayer { Kind = kind, Input = x.Producer };
            layer.Nodes.Add(Label(node, index));
            layer.Shape = x.Volume;
            _layers.Add(layer);
            _values[node.Output[0]] = x with { Producer = _layers.Count - 1 };
            return layer;
        }

        /// <summary>
        /// Whether Sigmoid/HardSigmoid <paramref name="node"/> is the gate of x·gate(x) read only by that Mul: then the Mul
        /// becomes <paramref name="kind"/> (SiLU, hard swish) and the gate itself is not a layer.
        /// </summary>
        private bool FusesIntoMul(NodeProto node, int index, string kind)
        {
            List<int> readers = Consumers(node.Output[0]);
            if (readers.Count != 1 || node.Input.Count == 0)
            {
                return false;
            }

            NodeProto mul = _graph.Node[readers[0]];
            if (mul.OpType != "Mul" || mul.Input.Count != 2)
            {
                return false;
            }

            string other = mul.Input[0] == node.Output[0] ? mul.Input[1] : mul.Input[0];
            if (other != node.Input[0] || !_values.ContainsKey(other))
            {
                return false;
            }

            _skipped.Add(readers[0]);
            Value x = _values[other];
            var layer = new ImportedLayer { Kind = kind, Input = x.Producer };
            layer.Nodes.Add(Label(node, index));
            layer.Nodes.Add(Label(mul, readers[0]));
            layer.Shape = x.Volume;
            _layers.Add(layer);
            _values[mul.Output[0]] = x with { Producer = _layers.Count - 1 };
            return true;
        }

        private void Mul(NodeProto node, int index) => throw new ImportException(StaticReason(node)!);

        private void Clip(NodeProto node, int index)
        {
            float min, max;
            if (_opset < 11)
            {
                min = OnnxAttributes.Float(node, "min", float.MinValue);
                max = OnnxAttributes.Float(node, "max", float.MaxValue);
            }
            else
            {
                ConstTensor? low = OptionalConstant(node, 1, "min");
                ConstTensor? high = OptionalConstant(node, 2, "max");
                min = low is null ? float.MinValue : (float)low[0];
                max = high is null ? float.MaxValue : (float)high[0];
            }

            if (min == 0 && max == 6)
            {
                Activation(node, index, "Relu6");
            }
            else if (min == 0 && (max == float.MaxValue || float.IsPositiveInfinity(max)))
            {
                Activation(node, index, "Relu");
            }
            else
            {
                throw new ImportException("bounds [" + min.ToString(CultureInfo.InvariantCulture) + ", " + max.ToString(CultureInfo.InvariantCulture) + "]; CnnGen has Clip(0, 6) as ReLU6 and Clip(0, ∞) as ReLU only");
            }
        }

        private void Softmax(NodeProto node, int index)
        {
            Value x = Data(node);
            long axis = OnnxAttributes.Int(node, "axis", _opset < 13 ? 1 : -1);
            int rank = x.Dims.Length;
            long normalized = axis < 0 ? axis + rank : axis;
            bool channels = !x.Flattened && normalized == 1 && (_opset >= 13 || rank == 2 || x.Volume.H * x.Volume.W == 1);
            if (!channels)
            {
                throw new ImportException("softmax over axis " + axis + " of " + x.ShapeText + (_opset < 13 && rank == 4 ? " (opset " + _opset + " flattens from that axis)" : "") + "; CnnGen's Softmax is over the channels (axis 1)");
            }

            Activation(node, index, "Softmax");
        }

        private void Sum(NodeProto node, int index)
        {
            if (node.Input.Count != 2)
            {
                throw new ImportException("sums " + node.Input.Count + " tensors; CnnGen's Add sums two");
            }

            Value a = Data(node, 0), b = Data(node, 1);
            if (!a.Dims.SequenceEqual(b.Dims) || a.Volume != b.Volume)
            {
                throw new ImportException("adds " + a.ShapeText + " and " + b.ShapeText + "; CnnGen's Add sums two outputs of the same shape (no broadcasting)");
            }

            var layer = new ImportedLayer { Kind = "Add", Input = a.Producer };
            layer.Operands.Add(b.Producer);
            layer.Nodes.Add(Label(node, index));
            layer.Shape = a.Volume;
            _layers.Add(layer);
            _values[node.Output[0]] = a with { Producer = _layers.Count - 1 };
        }

        private void Concat(NodeProto node, int index)
        {
            var parts = Enumerable.Range(0, node.Input.Count).Select(i => Data(node, i)).ToList();
            Value first = parts[0];
            int rank = first.Dims.Length;
            long axis = OnnxAttributes.Int(node, "axis", 1);
            if ((axis < 0 ? axis + rank : axis) != 1 || parts.Any(p => p.Flattened || p.Dims.Length != rank))
            {
                throw new ImportException("concatenates along axis " + axis + " of " + string.Join(", ", parts.Select(p => p.ShapeText)) + "; CnnGen's Concat stacks channels (axis 1)");
            }

            if (parts.Any(p => p.Volume.H != first.Volume.H || p.Volume.W != first.Volume.W))
            {
                throw new ImportException("concatenates " + string.Join(", ", parts.Select(p => p.ShapeText)) + " whose heights or widths differ");
            }

            int c = parts.Sum(p => p.Volume.C);
            var layer = new ImportedLayer { Kind = "Concat", Input = parts[0].Producer };
            layer.Operands.AddRange(parts.Select(p => p.Producer));
            layer.Nodes.Add(Label(node, index));
            layer.Shape = (c, first.Volume.H, first.Volume.W);
            _layers.Add(layer);
            long[] dims = (long[])first.Dims.Clone();
            dims[1] = c;
            _values[node.Output[0]] = new Value(_layers.Count - 1, dims, layer.Shape);
        }

        private Value Vector(NodeProto node)
        {
            Value x = Data(node);
            if (x.Dims.Length != 2)
            {
                throw new ImportException("reads \"" + node.Input[0] + "\" of shape " + x.ShapeText + "; CnnGen's fully-connected layer reads a flattened (1, N) tensor (Flatten or Reshape first)");
            }

            return x;
        }

        private void Gemm(NodeProto node, int index)
        {
            Value x = Vector(node);
            float alpha = OnnxAttributes.Float(node, "alpha", 1f), beta = OnnxAttributes.Float(node, "beta", 1f);
            bool transA = OnnxAttributes.Int(node, "transA", 0) != 0, transB = OnnxAttributes.Int(node, "transB", 0) != 0;
            if (transA)
            {
                throw new ImportException("transA = 1; CnnGen's fully-connected layer reads its input as a row");
            }

            if (alpha != 1)
            {
                throw new ImportException("alpha = " + alpha.ToString(CultureInfo.InvariantCulture) + "; CnnGen's fully-connected layer computes W·x + b, alpha = 1");
            }

            ConstTensor w = Constant(node, 1, "weight");
            ConstTensor? c = OptionalConstant(node, 2, "bias");
            if (c is not null && beta != 1)
            {
                throw new ImportException("beta = " + beta.ToString(CultureInfo.InvariantCulture) + "; CnnGen's fully-connected layer adds its bias as is, beta = 1");
            }

            FullyConnected(node, index, x, w, transB, c, node.Input[1], c is null ? null : node.Input[2], node.Output[0], null);
        }

        private void MatMul(NodeProto node, int index)
        {
            Value x = Vector(node);
            ConstTensor w = Constant(node, 1, "weight");

            // MatMul + Add of a constant is a fully-connected layer with a bias.
            List<int> readers = Consumers(node.Output[0]);
            if (readers.Count == 1 && _graph.Node[readers[0]] is { OpType: "Add" } add && add.Input.Count == 2)
            {
                string other = add.Input[0] == node.Output[0] ? add.Input[1] : add.Input[0];
                if (_constants.TryGetValue(other, out ConstTensor? bias) && w.Rank == 2 && w.Dims[1] <= int.MaxValue && RowBias(bias, (int)w.Dims[1]) is not null)
                {
                    _skipped.Add(readers[0]);
                    FullyConnected(node, index, x, w, transposed: false, bias, node.Input[1], other, add.Output[0], Label(add, readers[0]));
                    return;
                }
            }

            FullyConnected(node, index, x, w, transposed: false, null, node.Input[1], null, node.Output[0], null);
        }

        private void FullyConnected(NodeProto node, int index, Value x, ConstTensor w, bool transposed, ConstTensor? bias, string weightName, string? biasName, string output, string? biasNode)
        {
            if (w.Rank != 2)
            {
                throw new ImportException("weight of shape " + w.ShapeText + "; a fully-connected weight is 2-D");
            }

            int outputs = (int)(transposed ? w.Dims[0] : w.Dims[1]), inputs = (int)(transposed ? w.Dims[1] : w.Dims[0]);
            int length = (int)x.Dims[1];
            if (inputs != length)
            {
                throw new ImportException("weight " + w.ShapeText + (transposed ? " (transB = 1)" : "") + " takes " + inputs + " inputs, but \"" + node.Input[0] + "\" has " + length);
            }

            float[] weight = w.AsFloats();
            if (!transposed)
            {
                // ONNX [in, out] → PyTorch's [out, in].
                var t = new float[weight.Length];
                for (int i = 0; i < inputs; i++)
                {
                    for (int o = 0; o < outputs; o++)
                    {
                        t[o * inputs + i] = weight[i * outputs + o];
                    }
                }

                weight = t;
            }

            float[]? b = null;
            if (bias is not null)
            {
                b = RowBias(bias, outputs) ?? throw new ImportException("bias of shape " + bias.ShapeText + " for " + outputs + " outputs; CnnGen adds one value per output ([" + outputs + "], [1, " + outputs + "] or a single value)");
            }

            var layer = new ImportedLayer { Kind = "FullyConnected", Input = x.Producer };
            layer.Arguments.Add(outputs.ToString(CultureInfo.InvariantCulture));
            if (b is null)
            {
                layer.Properties.Add(("Bias", "false"));
            }

            layer.Tensors.Add(("weight", new[] { outputs, inputs }, weight));
            if (b is not null)
            {
                layer.Tensors.Add(("bias", new[] { outputs }, b));
            }

            layer.KeyFromInitializers = biasName is null || b is null || bias!.Length != outputs
                ? CommonKey((weightName, "weight"))
                : CommonKey((weightName, "weight"), (biasName, "bias"));
            layer.Nodes.Add(Label(node, index));
            if (biasNode is not null)
            {
                layer.Nodes.Add(biasNode);
            }

            layer.Shape = (outputs, 1, 1);
            _layers.Add(layer);
            _values[output] = new Value(_layers.Count - 1, new long[] { 1, outputs }, (outputs, 1, 1));
        }

        private void Flatten(NodeProto node)
        {
            Value x = Data(node);
            long axis = OnnxAttributes.Int(node, "axis", 1);
            int rank = x.Dims.Length;
            long normalized = axis < 0 ? axis + rank : axis;
            long total = x.Dims.Aggregate(1L, (a, b) => a * b);
            if (normalized is not (0 or 1))
            {
                throw new ImportException("axis " + axis + " keeps " + x.ShapeText + "'s inner axes apart; CnnGen flattens everything after the batch");
            }

            _values[node.Output[0]] = x with { Dims = new long[] { 1, total } };
        }

        private void Reshape(NodeProto node)
        {
            Value x = Data(node);
            long[] shape = Constant(node, 1, "shape").AsIntegers();
            if (OnnxAttributes.Int(node, "allowzero", 0) != 0 && shape.Contains(0))
            {
                throw new ImportException("allowzero with a zero in the shape makes an empty tensor; CnnGen's layers cannot say that");
            }

            long[] dims;
            try
            {
                dims = ConstantFolder.ReshapeDims(x.Dims, shape);
            }
            catch (ArgumentException e)
            {
                throw new ImportException(e.Message);
            }

            Resize(node, dims);
        }

        /// <summary>The dimensions after Squeeze/Unsqueeze of a runtime value.</summary>
        private long[] SqueezedDims(NodeProto node)
        {
            Value x = Data(node);
            long[]? axes = _opset < 13 ? OnnxAttributes.Ints(node, "axes") : OptionalConstant(node, 1, "axes")?.AsIntegers();
            var dims = x.Dims.ToList();
            if (node.OpType == "Squeeze")
            {
                int rank = dims.Count;
                var removed = axes is null
                    ? Enumerable.Range(1, rank - 1).Where(d => dims[d] == 1).ToHashSet()
                    : axes.Select(a => (int)(a < 0 ? a + rank : a)).ToHashSet();
                if (removed.Contains(0) || removed.Any(d => d < 0 || d >= rank || dims[d] != 1))
                {
                    throw new ImportException("squeezes axes [" + string.Join(", ", axes ?? Array.Empty<long>()) + "] of " + x.ShapeText + "; only size-1 axes after the batch can go");
                }

                return dims.Where((_, d) => !removed.Contains(d)).ToArray();
            }

            if (axes is null)
            {
                throw new ImportException("has no axes");
            }

            int newRank = dims.Count + axes.Length;
            foreach (int axis in axes.Select(a => (int)(a < 0 ? a + newRank : a)).OrderBy(a => a))
            {
                if (axis < 1 || axis > dims.Count)
                {
                    throw new ImportException("unsqueezes axis " + axis + " of " + x.ShapeText + "; CnnGen keeps the batch first");
                }

                dims.Insert(axis, 1);
            }

            return dims.ToArray();
        }

        /// <summary>A Reshape, Squeeze or Unsqueeze: CnnGen can only flatten a volume or undo that.</summary>
        private void Resize(NodeProto node, long[] dims)
        {
            Value x = Data(node);
            long total = dims.Aggregate(1L, (a, b) => a * b);
            (int C, int H, int W) v = x.Volume;
            if (dims.Length == 2 && dims[0] == 1)
            {
                _values[node.Output[0]] = x with { Dims = dims };
            }
            else if (dims.Length == 4 && dims[0] == 1 && ((dims[1], dims[2], dims[3]) == (v.C, v.H, v.W) || (dims[1] == total && dims[2] == 1 && dims[3] == 1 && v.H * v.W == 1)))
            {
                _values[node.Output[0]] = x with { Dims = dims };
            }
            else
            {
                throw new ImportException("reshapes " + x.ShapeText + " into [" + string.Join(", ", dims) + "]; CnnGen's layers can flatten a volume (for a fully-connected layer) but not rearrange it");
            }
        }

        /// <summary>ReduceMean/ReduceMax over height and width: the global pools (how TensorFlow exports write them).</summary>
        private void Reduce(NodeProto node, int index)
        {
            Value x = Image(node);
            long[]? axes = _opset < 18 ? OnnxAttributes.Ints(node, "axes") : OptionalConstant(node, 1, "axes")?.AsIntegers();
            var normalized = (axes ?? Array.Empty<long>()).Select(a => a < 0 ? a + 4 : a).OrderBy(a => a).ToArray();
            if (!normalized.SequenceEqual(new long[] { 2, 3 }))
            {
                throw new ImportException("reduces axes [" + string.Join(", ", axes ?? Array.Empty<long>()) + "] of " + x.ShapeText + "; CnnGen has this only over height and width (axes 2 and 3), as the global pools");
            }

            bool keep = OnnxAttributes.Int(node, "keepdims", 1) != 0;
            Add(node, index, node.OpType == "ReduceMean" ? "GlobalAvgPool" : "GlobalMaxPool", x, (x.Volume.C, 1, 1), keep ? new long[] { 1, x.Volume.C, 1, 1 } : new long[] { 1, x.Volume.C });
        }
    }
}
