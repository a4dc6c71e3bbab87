# virtio-gpu with one 2D scanout: the display of a VM without one.
#
# The driver asks for the display layout once at probe
# (VIRTIO_GPU_CMD_GET_DISPLAY_INFO); the reply enables scanout 0 at
# width x height. Every other request gets the module's virtio-gpu answer:
# VIRTIO_GPU_RESP_OK_NODATA with the request's fence echoed.
#
# uvirtio-boot sets width and height from uvirtio.gpu=WIDTHxHEIGHT;
# by hand: uvirtio-boot create gpu width=1920 height=1080
#
# With a "heads" parameter uvirtio-boot also gives the module the monitors
# (UV_GPU_HEAD): heads scanouts, head 0 at width x height and dpi (the
# others from uvirtio.gpu=W1xH1,W2xH2,... or unplugged), each with its
# EDID. The module then answers GET_DISPLAY_INFO and GET_EDID itself; the
# expectation below is the display of a module that cannot.

device 16                       # VIRTIO_ID_GPU
param width 1024 64 8192
param height 768 64 8192
param heads 1 1 16              # scanouts (num_scanouts)
param dpi 96 48 960             # the monitors' DPI: their physical size

# struct virtio_gpu_config: events_read, events_clear, num_scanouts,
# num_capsets
config le32:0 le32:0 le32:$heads le32:0

expect control
block read 24 next              # struct virtio_gpu_ctrl_hdr
match 0 le32:0x0100             # type: VIRTIO_GPU_CMD_GET_DISPLAY_INFO
block write 408                 # struct virtio_gpu_resp_display_info
reply 0 le32:0x1101             # type: VIRTIO_GPU_RESP_OK_DISPLAY_INFO
# pmodes[0]: x, y, width, height, enabled, flags
reply 24 le32:0 le32:0 le32:$width le32:$height le32:1 le32:0
